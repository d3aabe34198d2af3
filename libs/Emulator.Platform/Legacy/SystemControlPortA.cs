namespace Emulator.Platform;

/// <summary>Port 0x92 (PS/2 System Control Port A): bit 1 is fast A20, writing bit 0 set asks for a reset.</summary>
public sealed class SystemControlPortA(A20Gate a20, Action resetRequested) : IPortDevice
{
    private byte _value;

    public static PortRange Range => new(0x92, 1);

    public uint Read(ushort offset, int size) => (uint)(_value & ~0x02) | (a20.Enabled ? 0x02u : 0u);

    public void Write(ushort offset, int size, uint value)
    {
        _value = (byte)(value & 0xFE);
        a20.SetFromPort92((value & 0x02) != 0);
        if ((value & 0x01) != 0)
        {
            resetRequested();
        }
    }
}
