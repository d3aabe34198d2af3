namespace Emulator.Platform;

/// <summary>HPET register offsets and bits (IA-PC HPET specification 1.0a, section 2.3).</summary>
public static class HpetRegister
{
    public const int Capabilities = 0x000;
    public const int Configuration = 0x010;
    public const int InterruptStatus = 0x020;
    public const int MainCounter = 0x0F0;

    /// <summary>Timer n's configuration at <c>TimerBase + n * TimerStride</c>, comparator at +8, FSB route at +0x10.</summary>
    public const int TimerBase = 0x100;
    public const int TimerStride = 0x20;

    public const ulong EnableCnf = 1UL << 0;
    public const ulong LegacyRouteCnf = 1UL << 1;

    public const ulong TimerLevelTriggered = 1UL << 1;
    public const ulong TimerInterruptEnable = 1UL << 2;
    public const ulong TimerPeriodic = 1UL << 3;
    public const ulong TimerPeriodicCapable = 1UL << 4;
    public const ulong Timer64BitCapable = 1UL << 5;
    public const ulong TimerValueSet = 1UL << 6;
    public const ulong Timer32BitMode = 1UL << 8;
    public const int TimerRouteShift = 9;
}
