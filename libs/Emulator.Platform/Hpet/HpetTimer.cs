namespace Emulator.Platform;

/// <summary>One HPET comparator: configuration, comparator, period (the periodic accumulator's step) and its clock timer.</summary>
internal sealed class HpetTimer
{
    public HpetTimer(int index, IDeviceTimer timer)
    {
        Index = index;
        Timer = timer;
    }

    public int Index { get; }

    public IDeviceTimer Timer { get; }

    public ulong Config { get; set; }

    public ulong Comparator { get; set; }

    public ulong Period { get; set; }

    public bool Is32Bit => (Config & HpetRegister.Timer32BitMode) != 0;

    public bool IsPeriodic => (Config & HpetRegister.TimerPeriodic) != 0;

    public bool IsLevelTriggered => (Config & HpetRegister.TimerLevelTriggered) != 0;

    public int Route => (int)((Config >> HpetRegister.TimerRouteShift) & 0x1F);
}
