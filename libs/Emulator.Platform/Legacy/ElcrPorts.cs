namespace Emulator.Platform;

/// <summary>The PIIX edge/level control registers at 0x4D0 (master) and 0x4D1 (slave).</summary>
public sealed class ElcrPorts(Pic8259 master, Pic8259 slave) : IPortDevice
{
    public uint Read(ushort offset, int size) => (offset & 1) == 0 ? master.Elcr : slave.Elcr;

    public void Write(ushort offset, int size, uint value)
    {
        if ((offset & 1) == 0)
        {
            master.SetElcr((byte)value);
        }
        else
        {
            slave.SetElcr((byte)value);
        }
    }
}
