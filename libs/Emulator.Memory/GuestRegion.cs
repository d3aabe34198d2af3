using Emulator.Posix;

namespace Emulator.Memory;

/// <summary>
/// One contiguous block of guest-physical RAM backed by a memfd (or any mappable fd received from
/// a peer). <see cref="UserAddress"/> is the address the front-end maps it at, which vhost-user
/// uses for ring addresses.
/// </summary>
public sealed unsafe class GuestRegion : IDisposable
{
    private readonly MemoryMapping _mapping;
    private readonly ulong _mapOffset;

    private GuestRegion(SafeFd fd, MemoryMapping mapping, ulong mapOffset, ulong guestBase, ulong size, ulong userAddress)
    {
        Fd = fd;
        _mapping = mapping;
        _mapOffset = mapOffset;
        GuestBase = guestBase;
        Size = size;
        End = guestBase + size;
        UserAddress = userAddress;
    }

    public ulong GuestBase { get; }

    public ulong Size { get; }

    /// <summary>Exclusive end; construction guarantees it does not wrap.</summary>
    public ulong End { get; }

    public ulong UserAddress { get; }

    /// <summary>The backing fd, passed to device servers over SET_MEM_TABLE.</summary>
    public SafeFd Fd { get; }

    /// <summary>Offset of the region's first byte within <see cref="Fd"/>.</summary>
    public ulong FdOffset => _mapOffset;

    /// <summary>Creates fresh RAM in a memfd whose size is sealed, so no peer can shrink it under us.</summary>
    public static GuestRegion Create(string name, ulong guestBase, ulong size)
    {
        CheckLayout(guestBase, size);
        SafeFd fd = MemFd.Create(name, checked((long)size), allowSealing: true);
        try
        {
            MemFd.AddSeals(fd, MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Seal);
            MemoryMapping mapping = MemoryMapping.MapShared(fd, 0, size);
            return new GuestRegion(fd, mapping, 0, guestBase, size, (ulong)mapping.Pointer);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps a region a peer described (vhost-user memory region). Checks the fd is big enough for
    /// mapOffset + size and is sealed against shrinking (<see cref="MemFd.IsSealedAgainstShrinking"/>),
    /// so touching any byte of the region can never raise SIGBUS, now or after the peer truncates the file.
    /// Takes ownership of <paramref name="fd"/> on success; on failure the caller still owns it.
    /// </summary>
    public static GuestRegion FromFd(SafeFd fd, ulong guestBase, ulong size, ulong userAddress, ulong mapOffset) =>
        FromFd(fd, guestBase, size, userAddress, mapOffset, allowUnsealed: false);

    /// <summary>
    /// As <see cref="FromFd(SafeFd, ulong, ulong, ulong, ulong)"/>; <paramref name="allowUnsealed"/> also accepts an
    /// fd that is not sealed against shrinking (QEMU's memory-backend-file, or memory-backend-memfd with seal=off).
    /// Only for a trusted peer: if it truncates the file, touching the lost pages kills this process with SIGBUS.
    /// </summary>
    public static GuestRegion FromFd(SafeFd fd, ulong guestBase, ulong size, ulong userAddress, ulong mapOffset, bool allowUnsealed)
    {
        CheckLayout(guestBase, size);
        if (!GuestRange.TryEnd(mapOffset, size, out ulong mapLength) || !GuestRange.TryEnd(userAddress, size, out _))
        {
            throw new GuestMemoryException($"region mmap offset 0x{mapOffset:x} + size 0x{size:x} overflows");
        }

        // Seals first: once the size cannot shrink, the size checked next stays true.
        if (!allowUnsealed && !MemFd.IsSealedAgainstShrinking(fd, out string problem))
        {
            throw new GuestMemoryException($"region fd refused: {problem}");
        }

        long fileSize = Posix.Fd.GetSize(fd);
        if (fileSize < 0 || (ulong)fileSize < mapLength)
        {
            throw new GuestMemoryException($"region needs 0x{mapLength:x} bytes of its fd, which has only 0x{fileSize:x}");
        }

        MemoryMapping mapping = MemoryMapping.MapShared(fd, 0, mapLength);
        return new GuestRegion(fd, mapping, mapOffset, guestBase, size, userAddress);
    }

    /// <summary>True if [address, address+length) lies wholly in this region.</summary>
    public bool Contains(ulong address, ulong length) => GuestRange.Contains(GuestBase, Size, address, length);

    /// <summary>Host pointer to a guest address inside this region; callers have checked the range.</summary>
    internal byte* HostPointer(ulong address)
    {
        // SAFETY: only arithmetic here; every caller has checked [address, +length) lies in the region, and
        // the mapping covers mapOffset + Size bytes, so the result points into it.
        return _mapping.Pointer + _mapOffset + (address - GuestBase);
    }

    /// <summary>A span over [address, address+length) of this region, bounds-checked.</summary>
    public Span<byte> GetSpan(ulong address, int length)
    {
        if (length < 0 || !Contains(address, (ulong)length))
        {
            throw new GuestMemoryException(address, (ulong)Math.Max(length, 0));
        }

        // SAFETY: the range lies within the region, and the mapping covers mapOffset + Size bytes.
        return new Span<byte>(HostPointer(address), length);
    }

    public void Dispose()
    {
        _mapping.Dispose();
        Fd.Dispose();
    }

    private static void CheckLayout(ulong guestBase, ulong size)
    {
        if (size == 0)
        {
            throw new GuestMemoryException("a RAM region cannot be empty");
        }

        if (!GuestRange.TryEnd(guestBase, size, out _))
        {
            throw new GuestMemoryException($"region [0x{guestBase:x}, +0x{size:x}) wraps past 2^64");
        }
    }
}
