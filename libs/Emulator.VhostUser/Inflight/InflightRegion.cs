using System.Buffers.Binary;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// The whole INFLIGHT_SHMFD buffer: the memfd, its mapping and one <see cref="InflightQueue"/> per queue.
/// Created fresh for GET_INFLIGHT_FD or adopted from the front-end's fd for SET_INFLIGHT_FD.
/// Dispose only after every ring using it has stopped.
/// </summary>
public sealed class InflightRegion : IDisposable
{
    private readonly MemoryMapping _mapping;
    private readonly InflightQueue[] _queues;

    private InflightRegion(SafeFd fd, MemoryMapping mapping, InflightDescription description)
    {
        Fd = fd;
        _mapping = mapping;
        Description = description;
        ulong stride = InflightLayout.QueueRegionSize(description.QueueSize);
        _queues = new InflightQueue[description.NumQueues];
        for (int i = 0; i < _queues.Length; i++)
        {
            ulong at = description.MmapOffset + ((ulong)i * stride);
            InitializeHeader(mapping, at, description.QueueSize);
            _queues[i] = new InflightQueue(mapping, at, description.QueueSize);
        }
    }

    public SafeFd Fd { get; }

    public InflightDescription Description { get; }

    public IReadOnlyList<InflightQueue> Queues => _queues;

    /// <summary>A zeroed buffer for <paramref name="numQueues"/> queues of <paramref name="queueSize"/> entries.</summary>
    public static InflightRegion Create(ushort numQueues, ushort queueSize)
    {
        CheckShape(numQueues, queueSize);
        ulong size = InflightLayout.TotalSize(numQueues, queueSize);
        SafeFd fd = MemFd.Create("vhost-user-inflight", (long)size, allowSealing: true);
        try
        {
            MemFd.AddSeals(fd, MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Seal);
            MemoryMapping mapping = MemoryMapping.MapShared(fd, 0, size);
            return new InflightRegion(fd, mapping, new InflightDescription(size, 0, numQueues, queueSize));
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adopts the front-end's buffer. Checks that the fd is sealed against shrinking, that mmap_offset +
    /// mmap_size fits it (fstat) and that mmap_size holds every queue, so no access can fault, now or after
    /// the front-end truncates the file. Takes ownership of <paramref name="fd"/> on success.
    /// </summary>
    public static InflightRegion FromFd(SafeFd fd, InflightDescription description) => FromFd(fd, description, allowUnsealed: false);

    /// <summary>
    /// As <see cref="FromFd(SafeFd, InflightDescription)"/>; <paramref name="allowUnsealed"/> also accepts an fd
    /// that is not sealed against shrinking, for a trusted front-end (truncating it would kill this process with SIGBUS).
    /// </summary>
    public static InflightRegion FromFd(SafeFd fd, InflightDescription description, bool allowUnsealed)
    {
        CheckShape(description.NumQueues, description.QueueSize);
        ulong needed = InflightLayout.TotalSize(description.NumQueues, description.QueueSize);
        if (description.MmapSize < needed)
        {
            throw new VhostUserProtocolException(
                $"in-flight buffer of 0x{description.MmapSize:x} bytes is too small for {description.NumQueues} queues of {description.QueueSize} (0x{needed:x} needed)");
        }

        ulong end = unchecked(description.MmapOffset + description.MmapSize);
        if (end < description.MmapOffset)
        {
            throw new VhostUserProtocolException("in-flight mmap offset + size overflows");
        }

        // Seals first: once the size cannot shrink, the size checked next stays true.
        if (!allowUnsealed && !MemFd.IsSealedAgainstShrinking(fd, out string problem))
        {
            throw new VhostUserProtocolException($"in-flight buffer refused: {problem}");
        }

        long fileSize = Emulator.Posix.Fd.GetSize(fd);
        if (fileSize < 0 || (ulong)fileSize < end)
        {
            throw new VhostUserProtocolException($"in-flight buffer needs 0x{end:x} bytes of its fd, which has 0x{fileSize:x}");
        }

        MemoryMapping mapping;
        try
        {
            mapping = MemoryMapping.MapShared(fd, 0, end);
        }
        catch (PosixException e)
        {
            throw new VhostUserProtocolException($"cannot map the in-flight buffer: {e.Message}", e);
        }

        try
        {
            return new InflightRegion(fd, mapping, description);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _mapping.Dispose();
        Fd.Dispose();
    }

    private static void CheckShape(ushort numQueues, ushort queueSize)
    {
        if (numQueues == 0 || queueSize == 0 || queueSize > VhostUserLimits.MaxQueueSize || (queueSize & (queueSize - 1)) != 0)
        {
            throw new VhostUserProtocolException($"in-flight buffer for {numQueues} queues of {queueSize} entries is not a valid shape");
        }
    }

    /// <summary>A zero version marks an unused buffer: stamp it. A stamped one must match the queue size.</summary>
    private static void InitializeHeader(MemoryMapping mapping, ulong at, ushort queueSize)
    {
        Span<byte> header = mapping.GetSpan(at, InflightLayout.HeaderSize);
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[InflightLayout.VersionOffset..]);
        ushort descNum = BinaryPrimitives.ReadUInt16LittleEndian(header[InflightLayout.DescNumOffset..]);
        if (version == 0)
        {
            header.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(header[InflightLayout.VersionOffset..], InflightLayout.Version);
            BinaryPrimitives.WriteUInt16LittleEndian(header[InflightLayout.DescNumOffset..], queueSize);
            return;
        }

        if (version != InflightLayout.Version || descNum != queueSize)
        {
            throw new VhostUserProtocolException($"in-flight queue header has version {version}, {descNum} entries; expected version 1 with {queueSize}");
        }
    }
}
