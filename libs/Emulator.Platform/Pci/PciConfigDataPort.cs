namespace Emulator.Platform;

/// <summary>
/// Configuration mechanism #1's data window at 0xCFC-0xCFF: byte, word and dword accesses at any
/// of its four offsets reach register (address & 0xFC) + offset of the selected function. With the
/// enable bit clear, or on another bus than 0, reads are all ones and writes are dropped.
/// </summary>
public sealed class PciConfigDataPort : IPortDevice
{
    private readonly PciConfigAddressPort _address;
    private readonly PciBus _bus;

    public PciConfigDataPort(PciConfigAddressPort address, PciBus bus)
    {
        _address = address;
        _bus = bus;
    }

    public uint Read(ushort offset, int size)
    {
        if (!Selects(offset, size))
        {
            return size >= 4 ? 0xFFFF_FFFF : (1u << (8 * size)) - 1;
        }

        return _bus.ReadConfig(_address.Slot, _address.Function, _address.Register + offset, size);
    }

    public void Write(ushort offset, int size, uint value)
    {
        if (Selects(offset, size))
        {
            _bus.WriteConfig(_address.Slot, _address.Function, _address.Register + offset, size, value);
        }
    }

    // An access that would run past 0xCFF is split by nothing on a PC: treat it as unclaimed.
    private bool Selects(int offset, int size) => _address.Enabled && _address.Bus == 0 && offset + size <= 4;
}
