using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>
/// Physical ranges outside RAM that devices claim (ROM, LAPIC, IOAPIC, BARs...). Ranges may not
/// overlap or be empty. An access is cut at device boundaries (as QEMU's address space splits it at
/// region boundaries): each device sees only its own range, at offsets from its base; pieces no device
/// claims read all ones and drop writes. This is the machine's one MMIO bus: <c>PagedMemory</c>
/// consumes it as its <see cref="IMmioBus"/>. Registration happens while the machine is built;
/// accesses come from the vCPU thread.
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

    /// <summary>Cut at device boundaries; unclaimed pieces read all ones. False when no byte was claimed.</summary>
    public bool TryRead(ulong physical, Span<byte> destination)
    {
        bool claimed = false;
        int done = 0;
        while (done < destination.Length)
        {
            ulong at = physical + (ulong)done;
            int piece = Piece(at, destination.Length - done, out Entry? entry);
            Span<byte> part = destination.Slice(done, piece);
            if (entry is null)
            {
                part.Fill(0xFF);
            }
            else
            {
                entry.Device.Read(at - entry.Base, part);
                claimed = true;
            }

            done += piece;
        }

        return claimed;
    }

    /// <summary>Cut at device boundaries; unclaimed pieces are dropped. False when no byte was claimed.</summary>
    public bool TryWrite(ulong physical, ReadOnlySpan<byte> source)
    {
        bool claimed = false;
        int done = 0;
        while (done < source.Length)
        {
            ulong at = physical + (ulong)done;
            int piece = Piece(at, source.Length - done, out Entry? entry);
            if (entry is not null)
            {
                entry.Device.Write(at - entry.Base, source.Slice(done, piece));
                claimed = true;
            }

            done += piece;
        }

        return claimed;
    }

    /// <summary>How much of the access from <paramref name="at"/> stays with one device (or in one unclaimed gap).</summary>
    private int Piece(ulong at, int remaining, out Entry? device)
    {
        ulong last = at + (ulong)remaining - 1;
        if (last < at)
        {
            last = ulong.MaxValue;
        }

        foreach (Entry entry in _entries)
        {
            if (at >= entry.Base && at <= entry.Last)
            {
                device = entry;
                return (int)(Math.Min(last, entry.Last) - at + 1);
            }

            if (entry.Base > at)
            {
                device = null;
                return (int)(Math.Min(last, entry.Base - 1) - at + 1);
            }
        }

        device = null;
        return (int)(last - at + 1);
    }

    private sealed record Entry(ulong Base, ulong Last, IMmioDevice Device, string Name);
}
