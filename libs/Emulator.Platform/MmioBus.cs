using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>
/// Physical ranges outside RAM that devices claim (ROM, LAPIC, IOAPIC, BARs...). Ranges may not
/// overlap or be empty. An access must lie wholly inside one device's range, else it is unassigned
/// (false: the soft-MMU reads all ones and drops writes). Registration happens while the machine is
/// built; accesses come from the vCPU thread.
/// </summary>
public sealed class MmioBus : IMmioBus
{
    private readonly List<Entry> _entries = [];

    public void Register(ulong physicalBase, ulong length, IMmioDevice device, string name)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(name);
        if (length == 0 || physicalBase + length - 1 < physicalBase)
        {
            throw new BusConflictException($"{name}: MMIO range 0x{physicalBase:x}+0x{length:x} is empty or wraps the address space");
        }

        ulong last = physicalBase + length - 1;
        foreach (Entry other in _entries)
        {
            if (physicalBase <= other.Last && other.Base <= last)
            {
                throw new BusConflictException($"{name}: MMIO 0x{physicalBase:x}-0x{last:x} overlaps {other.Name} at 0x{other.Base:x}-0x{other.Last:x}");
            }
        }

        _entries.Add(new Entry(physicalBase, last, device, name));
        _entries.Sort((a, b) => a.Base.CompareTo(b.Base));
    }

    public bool TryRead(ulong physical, Span<byte> destination)
    {
        if (Find(physical, destination.Length) is not { } entry)
        {
            return false;
        }

        entry.Device.Read(physical - entry.Base, destination);
        return true;
    }

    public bool TryWrite(ulong physical, ReadOnlySpan<byte> source)
    {
        if (Find(physical, source.Length) is not { } entry)
        {
            return false;
        }

        entry.Device.Write(physical - entry.Base, source);
        return true;
    }

    private Entry? Find(ulong physical, int length)
    {
        if (length <= 0)
        {
            return null;
        }

        foreach (Entry entry in _entries)
        {
            if (physical >= entry.Base && physical <= entry.Last)
            {
                return (ulong)(length - 1) <= entry.Last - physical ? entry : null;
            }
        }

        return null;
    }

    private sealed record Entry(ulong Base, ulong Last, IMmioDevice Device, string Name);
}
