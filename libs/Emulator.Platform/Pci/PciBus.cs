namespace Emulator.Platform;

/// <summary>
/// PCI bus 0: 32 device slots of 8 functions. Absent functions read all ones (what the guest's
/// enumeration looks for). Attaching a function with an interrupt pin sets its interrupt line
/// register to the GSI <see cref="PciInterruptRouting"/> gives it, as firmware would.
/// </summary>
public sealed class PciBus
{
    public const int SlotCount = 32;
    public const int FunctionCount = 8;

    private readonly PciFunction?[] _functions = new PciFunction?[SlotCount * FunctionCount];

    public void Attach(int slot, int function, PciFunction device)
    {
        CheckAddress(slot, function);
        int index = (slot * FunctionCount) + function;
        if (_functions[index] is not null)
        {
            throw new BusConflictException($"PCI {slot:x2}.{function} is already occupied");
        }

        _functions[index] = device;
        if (device.InterruptPin != 0)
        {
            device.SetConfig(PciFunction.InterruptLineOffset, 1, (uint)PciInterruptRouting.Gsi(slot, device.InterruptPin - 1));
        }
    }

    public PciFunction? Find(int slot, int function)
    {
        CheckAddress(slot, function);
        return _functions[(slot * FunctionCount) + function];
    }

    /// <summary>The IOAPIC input of the function at slot/function's INTx pin, or null if it has none.</summary>
    public int? InterruptGsi(int slot, int function) =>
        Find(slot, function) is { InterruptPin: > 0 } device ? PciInterruptRouting.Gsi(slot, device.InterruptPin - 1) : null;

    /// <summary>The lowest free slot from <paramref name="first"/> on, for devices added by the machine.</summary>
    public int FreeSlot(int first = 2)
    {
        for (int slot = first; slot < SlotCount; slot++)
        {
            if (_functions[slot * FunctionCount] is null)
            {
                return slot;
            }
        }

        throw new BusConflictException("PCI bus 0 has no free slot");
    }

    public uint ReadConfig(int slot, int function, int offset, int size) =>
        Find(slot, function) is { } device ? device.ReadConfig(offset, size) : AllOnes(size);

    public void WriteConfig(int slot, int function, int offset, int size, uint value) =>
        Find(slot, function)?.WriteConfig(offset, size, value);

    private static uint AllOnes(int size) => size >= 4 ? 0xFFFF_FFFF : (1u << (8 * size)) - 1;

    private static void CheckAddress(int slot, int function)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, SlotCount);
        ArgumentOutOfRangeException.ThrowIfNegative(function);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(function, FunctionCount);
    }
}
