namespace Emulator.Cpu;

/// <summary>
/// An <see cref="IMmioBus"/> over address ranges, one device each: an access is cut at device
/// boundaries so each device sees only its own range, and the parts no device claims read as all
/// ones and drop writes. Devices get absolute physical addresses. Mapping happens at machine
/// set-up, before a vCPU runs; not thread-safe against concurrent <see cref="Map"/>.
/// </summary>
public sealed class MmioRouter : IMmioBus
{
    private readonly List<(ulong Base, ulong End, IMmioBus Device)> _ranges = [];

    /// <summary>Claims [<paramref name="baseAddress"/>, +<paramref name="size"/>) for <paramref name="device"/>; overlaps are refused.</summary>
    public void Map(ulong baseAddress, ulong size, IMmioBus device)
    {
        ArgumentNullException.ThrowIfNull(device);
        ulong end = baseAddress + size;
        if (size == 0 || end < baseAddress)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "empty or wrapping MMIO range");
        }

        foreach ((ulong b, ulong e, _) in _ranges)
        {
            if (baseAddress < e && b < end)
            {
                throw new ArgumentException($"MMIO range {baseAddress:x}+{size:x} overlaps {b:x}-{e:x}", nameof(baseAddress));
            }
        }

        _ranges.Add((baseAddress, end, device));
        _ranges.Sort((x, y) => x.Base.CompareTo(y.Base));
    }

    public bool TryRead(ulong physical, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            ulong at = physical + (ulong)done;
            int piece = Piece(at, destination.Length - done, out IMmioBus? device);
            Span<byte> part = destination.Slice(done, piece);
            if (device is null || !device.TryRead(at, part))
            {
                part.Fill(0xFF);
            }

            done += piece;
        }

        return true;
    }

    public bool TryWrite(ulong physical, ReadOnlySpan<byte> source)
    {
        int done = 0;
        while (done < source.Length)
        {
            ulong at = physical + (ulong)done;
            int piece = Piece(at, source.Length - done, out IMmioBus? device);
            _ = device?.TryWrite(at, source.Slice(done, piece));
            done += piece;
        }

        return true;
    }

    /// <summary>How much of the access from <paramref name="at"/> stays with one device (or in one unclaimed gap).</summary>
    private int Piece(ulong at, int remaining, out IMmioBus? device)
    {
        ulong limit = at + (ulong)remaining;
        foreach ((ulong b, ulong e, IMmioBus d) in _ranges)
        {
            if (at >= b && at < e)
            {
                device = d;
                return (int)(Math.Min(limit, e) - at);
            }

            if (b > at)
            {
                device = null;
                return (int)(Math.Min(limit, b) - at);
            }
        }

        device = null;
        return remaining;
    }
}
