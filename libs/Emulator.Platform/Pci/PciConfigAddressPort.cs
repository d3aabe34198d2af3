namespace Emulator.Platform;

/// <summary>
/// Configuration mechanism #1's address register at 0xCF8: only dword accesses reach it (byte and
/// word accesses to 0xCF8-0xCFB go elsewhere on a PC, e.g. 0xCF9 is the reset register). Bit 31
/// enables, bits 23-16 bus, 15-11 device, 10-8 function, 7-2 register; reserved bits read zero.
/// </summary>
public sealed class PciConfigAddressPort : IPortDevice
{
    private const uint ImplementedBits = 0x80FF_FFFC;

    public uint Value { get; private set; }

    public bool Enabled => (Value & 0x8000_0000) != 0;

    public int Bus => (int)((Value >> 16) & 0xFF);

    public int Slot => (int)((Value >> 11) & 0x1F);

    public int Function => (int)((Value >> 8) & 0x7);

    public int Register => (int)(Value & 0xFC);

    public uint Read(ushort offset, int size) => offset == 0 && size == 4 ? Value : 0xFFFF_FFFF;

    public void Write(ushort offset, int size, uint value)
    {
        if (offset == 0 && size == 4)
        {
            Value = value & ImplementedBits;
        }
    }
}
