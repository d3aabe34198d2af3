namespace Emulator.Platform;

/// <summary>
/// Port 0x61 (NMI status and control / "port B"): bit 0 gates PIT channel 2, bit 1 enables the
/// speaker data, bits 2-3 are stored; bit 4 toggles with each 15.085 us DRAM refresh of virtual time
/// (delay loops and Linux's PIT calibration watch it), bit 5 is PIT channel 2's OUT.
/// </summary>
public sealed class SystemControlPortB(Pit8254 pit, IDeviceClock clock) : IPortDevice
{
    private const long RefreshPeriodNs = 15_085;

    private byte _control;

    public static PortRange Range => new(0x61, 1);

    public bool SpeakerDataEnabled => (_control & 2) != 0;

    public uint Read(ushort offset, int size)
    {
        int refresh = (clock.Now / RefreshPeriodNs & 1) != 0 ? 0x10 : 0;
        int out2 = pit.Output(2) ? 0x20 : 0;
        return (uint)(_control | refresh | out2);
    }

    public void Write(ushort offset, int size, uint value)
    {
        _control = (byte)(value & 0x0F);
        pit.SetGate(2, (value & 1) != 0);
    }
}
