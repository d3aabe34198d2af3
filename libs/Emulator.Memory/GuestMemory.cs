using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Emulator.Memory;

/// <summary>
/// Guest-physical RAM: an immutable, sorted set of non-overlapping regions. This is the one API
/// through which anything touches guest memory. Accesses that cross a region boundary are split
/// across the regions; a range with any unbacked byte fails as a whole before anything is copied.
/// </summary>
public sealed unsafe class GuestMemory : IDisposable
{
    private readonly GuestRegion[] _regions;

    /// <summary>Takes ownership of the regions. Throws if any two overlap.</summary>
    public GuestMemory(IEnumerable<GuestRegion> regions)
    {
        _regions = [.. regions.OrderBy(r => r.GuestBase)];
        for (int i = 1; i < _regions.Length; i++)
        {
            if (_regions[i].GuestBase < _regions[i - 1].End)
            {
                throw new GuestMemoryException(
                    $"regions [0x{_regions[i - 1].GuestBase:x}, 0x{_regions[i - 1].End:x}) and [0x{_regions[i].GuestBase:x}, 0x{_regions[i].End:x}) overlap");
            }
        }
    }

    public IReadOnlyList<GuestRegion> Regions => _regions;

    /// <summary>Fresh memfd-backed RAM with the given (base, size) layout.</summary>
    public static GuestMemory Create(params (ulong Base, ulong Size)[] layout)
    {
        List<GuestRegion> regions = [];
        try
        {
            for (int i = 0; i < layout.Length; i++)
            {
                regions.Add(GuestRegion.Create($"guest-ram{i}", layout[i].Base, layout[i].Size));
            }

            return new GuestMemory(regions);
        }
        catch
        {
            foreach (GuestRegion r in regions)
            {
                r.Dispose();
            }

            throw;
        }
    }

    /// <summary>The region holding <paramref name="address"/>, or null.</summary>
    public GuestRegion? FindRegion(ulong address)
    {
        int lo = 0;
        int hi = _regions.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            GuestRegion r = _regions[mid];
            if (address < r.GuestBase)
            {
                hi = mid - 1;
            }
            else if (address >= r.End)
            {
                lo = mid + 1;
            }
            else
            {
                return r;
            }
        }

        return null;
    }

    /// <summary>True when every byte of [address, address+length) is RAM (possibly several regions).</summary>
    public bool IsValidRange(ulong address, ulong length)
    {
        if (!GuestRange.TryEnd(address, length, out ulong end))
        {
            return false;
        }

        ulong cursor = address;
        while (cursor < end)
        {
            GuestRegion? r = FindRegion(cursor);
            if (r is null)
            {
                return false;
            }

            cursor = Math.Min(end, r.End);
        }

        return true;
    }

    /// <summary>Copies guest bytes out. Throws <see cref="GuestMemoryException"/> if any byte is unbacked.</summary>
    public void Read(ulong address, Span<byte> destination)
    {
        if (!TryRead(address, destination))
        {
            throw new GuestMemoryException(address, (ulong)destination.Length);
        }
    }

    /// <summary>Copies bytes into the guest. Throws <see cref="GuestMemoryException"/> if any byte is unbacked.</summary>
    public void Write(ulong address, ReadOnlySpan<byte> source)
    {
        if (!TryWrite(address, source))
        {
            throw new GuestMemoryException(address, (ulong)source.Length);
        }
    }

    public bool TryRead(ulong address, Span<byte> destination)
    {
        if (!IsValidRange(address, (ulong)destination.Length))
        {
            return false;
        }

        var segments = new GuestSegments(this, address, (ulong)destination.Length);
        while (segments.MoveNext(out GuestRegion? r, out ulong at, out int n))
        {
            r.GetSpan(at, n).CopyTo(destination);
            destination = destination[n..];
        }

        return true;
    }

    public bool TryWrite(ulong address, ReadOnlySpan<byte> source)
    {
        if (!IsValidRange(address, (ulong)source.Length))
        {
            return false;
        }

        var segments = new GuestSegments(this, address, (ulong)source.Length);
        while (segments.MoveNext(out GuestRegion? r, out ulong at, out int n))
        {
            source[..n].CopyTo(r.GetSpan(at, n));
            source = source[n..];
        }

        return true;
    }

    /// <summary>Fills [address, address+length) with zeroes.</summary>
    public void Zero(ulong address, ulong length)
    {
        if (!IsValidRange(address, length))
        {
            throw new GuestMemoryException(address, length);
        }

        var segments = new GuestSegments(this, address, length);
        while (segments.MoveNext(out GuestRegion? r, out ulong at, out int n))
        {
            r.GetSpan(at, n).Clear();
        }
    }

    /// <summary>
    /// A span over [address, address+length) when it lies inside one region, for zero-copy I/O.
    /// False when it straddles regions or is unbacked: callers then fall back to Read/Write.
    /// The span aliases shared memory another process may change at any time: copy before validating.
    /// </summary>
    public bool TryGetSpan(ulong address, int length, out Span<byte> span)
    {
        GuestRegion? r = length >= 0 ? FindRegion(address) : null;
        if (r is null || !r.Contains(address, (ulong)length))
        {
            span = default;
            return false;
        }

        span = r.GetSpan(address, length);
        return true;
    }

    public T Read<T>(ulong address)
        where T : unmanaged
    {
        T value = default;

        // SAFETY: the span covers exactly the sizeof(T) bytes of a stack local that outlives it; T is
        // unmanaged, so any byte pattern the guest wrote is a valid T.
        Read(address, new Span<byte>(&value, sizeof(T)));
        return value;
    }

    public void Write<T>(ulong address, T value)
        where T : unmanaged
    {
        // SAFETY: the span covers exactly the sizeof(T) bytes of the by-value parameter, alive for the call.
        Write(address, new ReadOnlySpan<byte>(&value, sizeof(T)));
    }

    public ushort ReadU16(ulong address) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes<ushort>(address));

    public uint ReadU32(ulong address) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes<uint>(address));

    public ulong ReadU64(ulong address) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes<ulong>(address));

    /// <summary>
    /// An acquire load of a naturally aligned u16 (ring indexes): later reads of ring entries are
    /// not reordered before it, and the value is read in one access, never torn.
    /// </summary>
    public ushort LoadAcquireU16(ulong address) => Volatile.Read(ref Aligned<ushort>(address));

    public uint LoadAcquireU32(ulong address) => Volatile.Read(ref Aligned<uint>(address));

    /// <summary>A release store: earlier writes (used elements, buffers) become visible first.</summary>
    public void StoreReleaseU16(ulong address, ushort value) => Volatile.Write(ref Aligned<ushort>(address), value);

    public void StoreReleaseU32(ulong address, uint value) => Volatile.Write(ref Aligned<uint>(address), value);

    /// <summary>Takes the guest address a front-end-virtual address (vhost-user ring address) maps to.</summary>
    public bool TryTranslateUserAddress(ulong userAddress, ulong length, out ulong guestAddress)
    {
        foreach (GuestRegion r in _regions)
        {
            if (GuestRange.Contains(r.UserAddress, r.Size, userAddress, length))
            {
                guestAddress = r.GuestBase + (userAddress - r.UserAddress);
                return true;
            }
        }

        guestAddress = 0;
        return false;
    }

    public void Dispose()
    {
        foreach (GuestRegion r in _regions)
        {
            r.Dispose();
        }
    }

    private ReadOnlySpan<byte> Bytes<T>(ulong address)
        where T : unmanaged
    {
        // Small reads inside one region (the common case) avoid the copy loop.
        if (TryGetSpan(address, sizeof(T), out Span<byte> span))
        {
            return span;
        }

        byte[] copy = new byte[sizeof(T)];
        Read(address, copy);
        return copy;
    }

    private ref T Aligned<T>(ulong address)
        where T : unmanaged
    {
        if (address % (ulong)sizeof(T) != 0)
        {
            throw new GuestMemoryException($"atomic access at 0x{address:x} is not {sizeof(T)}-byte aligned");
        }

        GuestRegion? r = FindRegion(address);
        if (r is null || !r.Contains(address, (ulong)sizeof(T)))
        {
            throw new GuestMemoryException(address, (ulong)sizeof(T));
        }

        // SAFETY: the naturally aligned value lies inside one mapped region (checked above).
        return ref Unsafe.AsRef<T>(r.HostPointer(address));
    }
}
