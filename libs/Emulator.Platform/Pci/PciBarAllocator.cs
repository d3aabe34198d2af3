namespace Emulator.Platform;

/// <summary>
/// Assigns BAR addresses before boot (there is no firmware to do it): memory BARs from the PCI
/// window's base upward, I/O BARs from 0xC000 upward (as SeaBIOS), each aligned to its size, then
/// enables decoding in the command register. Largest BARs first keeps alignment padding small.
/// </summary>
public sealed class PciBarAllocator
{
    public const uint FirstIoPort = 0xC000;
    public const uint IoLimit = 0x1_0000;

    private ulong _nextMemory;
    private readonly ulong _memoryEnd;
    private uint _nextIo = FirstIoPort;

    /// <param name="memoryBase">First address of the MMIO window.</param>
    /// <param name="memoryEnd">Last address of the window (inclusive).</param>
    public PciBarAllocator(ulong memoryBase, ulong memoryEnd)
    {
        _nextMemory = memoryBase;
        _memoryEnd = memoryEnd;
    }

    /// <summary>Places every defined BAR of every function on <paramref name="bus"/> (bridges at 00.0 and 01.0 have none).</summary>
    public void AssignAll(PciBus bus)
    {
        var bars = new List<(PciFunction Device, int Index)>();
        for (int slot = 0; slot < PciBus.SlotCount; slot++)
        {
            for (int function = 0; function < PciBus.FunctionCount; function++)
            {
                if (bus.Find(slot, function) is not { } device)
                {
                    continue;
                }

                for (int index = 0; index < PciFunction.BarCount; index++)
                {
                    // The upper half of a 64-bit BAR reports the same kind but no size.
                    if (device.BarKind(index) is not null && device.BarSize(index) != 0)
                    {
                        bars.Add((device, index));
                    }
                }
            }
        }

        foreach ((PciFunction device, int index) in bars.OrderByDescending(b => b.Device.BarSize(b.Index)))
        {
            Assign(device, index);
        }
    }

    public void Assign(PciFunction device, int index)
    {
        ulong size = device.BarSize(index);
        ushort enable;
        if (device.BarKind(index) == PciBarKind.Io)
        {
            uint at = (uint)((_nextIo + size - 1) & ~(size - 1));
            if (at + size > IoLimit)
            {
                throw new BusConflictException($"no I/O space left for a 0x{size:x}-byte BAR");
            }

            device.SetBarAddress(index, at);
            _nextIo = at + (uint)size;
            enable = 0x1;
        }
        else
        {
            ulong at = (_nextMemory + size - 1) & ~(size - 1);
            if (at + size - 1 > _memoryEnd || at + size < at)
            {
                throw new BusConflictException($"no room in the PCI MMIO window for a 0x{size:x}-byte BAR");
            }

            device.SetBarAddress(index, at);
            _nextMemory = at + size;
            enable = 0x2;
        }

        device.SetConfig(PciFunction.CommandOffset, 2, (uint)(device.Command | enable));
    }
}
