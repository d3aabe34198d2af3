using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// A single-producer single-consumer byte ring in a memfd shared by two processes, with two eventfds
/// for wake-ups: <see cref="DataAvailable"/> (producer to a waiting consumer) and
/// <see cref="SpaceAvailable"/> (consumer to a producer waiting on a full ring). One ring per
/// direction; the creator passes <see cref="Memory"/> and both eventfds to the peer, which calls
/// <see cref="Attach"/>.
/// <para>
/// Layout (little-endian u32 fields): line 0 = magic, version, capacity; line 1 (written by the
/// producer) = producer index at 64, "producer waiting for space" at 68; line 2 (written by the
/// consumer) = consumer index at 128, "consumer waiting for data" at 132; data from 256, capacity a
/// power of two. Indexes run freely and wrap at 2^32; position = index &amp; (capacity - 1).
/// </para>
/// <para>
/// The peer is not trusted: the capacity is read once at attach and checked against the memfd's
/// size (which must be sealed against shrinking), each side keeps its own index privately and only
/// reads the other's, and an index that would put more than capacity bytes in flight raises
/// <see cref="ByteRingException"/>. Dispose only after the producer and consumer are no longer used.
/// </para>
/// </summary>
public sealed unsafe class ByteRing : IDisposable
{
    public const uint Magic = 0x474E5242; // "BRNG"
    public const uint Version = 1;
    public const int HeaderSize = 256;
    public const int MinCapacity = 16;
    public const int MaxCapacity = 1 << 30;

    internal const int ProducerIndexOffset = 64;
    internal const int ProducerWaitingOffset = 68;
    internal const int ConsumerIndexOffset = 128;
    internal const int ConsumerWaitingOffset = 132;

    private const int MagicOffset = 0;
    private const int VersionOffset = 4;
    private const int CapacityOffset = 8;

    private readonly MemoryMapping _mapping;

    private ByteRing(SafeFd memory, MemoryMapping mapping, EventFd dataAvailable, EventFd spaceAvailable, int capacity)
    {
        Memory = memory;
        _mapping = mapping;
        DataAvailable = dataAvailable;
        SpaceAvailable = spaceAvailable;
        Capacity = capacity;
    }

    /// <summary>The memfd to hand to the peer.</summary>
    public SafeFd Memory { get; }

    /// <summary>Signalled by the producer when the consumer announced it waits for data.</summary>
    public EventFd DataAvailable { get; }

    /// <summary>Signalled by the consumer when the producer announced it waits for space.</summary>
    public EventFd SpaceAvailable { get; }

    /// <summary>Bytes the ring holds when full (a power of two).</summary>
    public int Capacity { get; }

    /// <summary>The mapping's base; header fields and data are addressed from here with checked offsets.</summary>
    internal byte* Base => _mapping.Pointer;

    /// <summary>Creates an empty ring in a new sealed memfd, with fresh eventfds.</summary>
    public static ByteRing Create(int capacity, string name = "byte-ring")
    {
        if (capacity < MinCapacity || capacity > MaxCapacity || !int.IsPow2(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), $"capacity must be a power of two in [{MinCapacity}, {MaxCapacity}]");
        }

        SafeFd memory = MemFd.Create(name, HeaderSize + (long)capacity, allowSealing: true);
        MemoryMapping? mapping = null;
        EventFd? data = null;
        try
        {
            MemFd.AddSeals(memory, MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Seal);
            mapping = MemoryMapping.MapShared(memory, 0, (ulong)(HeaderSize + (long)capacity));
            Span<byte> header = mapping.GetSpan(0, HeaderSize);
            BitConverter.TryWriteBytes(header[MagicOffset..], Magic);
            BitConverter.TryWriteBytes(header[VersionOffset..], Version);
            BitConverter.TryWriteBytes(header[CapacityOffset..], (uint)capacity);
            data = new EventFd();
            return new ByteRing(memory, mapping, data, new EventFd(), capacity);
        }
        catch
        {
            data?.Dispose();
            mapping?.Dispose();
            memory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps a ring a peer created, taking ownership of the three descriptors. Rejects a memfd that is
    /// not sealed against shrinking (a peer could truncate it and crash us with SIGBUS), a bad magic
    /// or version, a capacity that is not a power of two or does not fit the file, and wake-up
    /// descriptors that are not eventfds (/dev/zero in their place would be "always readable" and
    /// turn every wait into a busy loop).
    /// </summary>
    public static ByteRing Attach(SafeFd memory, SafeFd dataAvailable, SafeFd spaceAvailable)
    {
        MemoryMapping? mapping = null;
        EventFd? data = null;
        try
        {
            RequireEventFd(dataAvailable, "data-available");
            RequireEventFd(spaceAvailable, "space-available");
            if ((SealsOf(memory) & MemFdSeals.Shrink) == 0)
            {
                throw new ByteRingException("byte ring memory is not sealed against shrinking");
            }

            long size = Fd.GetSize(memory);
            if (size < HeaderSize + MinCapacity || size > HeaderSize + (long)MaxCapacity)
            {
                throw new ByteRingException($"byte ring memory has an invalid size of {size} bytes");
            }

            mapping = MemoryMapping.MapShared(memory, 0, (ulong)size);
            ReadOnlySpan<byte> header = mapping.GetSpan(0, HeaderSize);
            uint magic = BitConverter.ToUInt32(header[MagicOffset..]);
            uint version = BitConverter.ToUInt32(header[VersionOffset..]);
            uint capacity = BitConverter.ToUInt32(header[CapacityOffset..]);
            if (magic != Magic || version != Version)
            {
                throw new ByteRingException($"byte ring header has magic {magic:x8} version {version}, expected {Magic:x8} version {Version}");
            }

            if (capacity < MinCapacity || capacity > MaxCapacity || !uint.IsPow2(capacity) || HeaderSize + (long)capacity > size)
            {
                throw new ByteRingException($"byte ring capacity {capacity} is not a power of two that fits {size} bytes");
            }

            data = new EventFd(dataAvailable);
            return new ByteRing(memory, mapping, data, new EventFd(spaceAvailable), (int)capacity);
        }
        catch
        {
            data?.Dispose();
            mapping?.Dispose();
            memory.Dispose();
            dataAvailable.Dispose();
            spaceAvailable.Dispose();
            throw;
        }
    }

    /// <summary>The writing side. Create one per ring, in one process.</summary>
    public ByteRingProducer CreateProducer() => new(this);

    /// <summary>The reading side. Create one per ring, in one process.</summary>
    public ByteRingConsumer CreateConsumer() => new(this);

    public void Dispose()
    {
        _mapping.Dispose();
        Memory.Dispose();
        DataAvailable.Dispose();
        SpaceAvailable.Dispose();
    }

    private static void RequireEventFd(SafeFd fd, string role)
    {
        DescriptorKind kind;
        try
        {
            kind = FdInfo.GetKind(fd);
        }
        catch (PosixException e)
        {
            throw new ByteRingException($"byte ring {role} descriptor cannot be examined: {e.Message}");
        }

        if (kind != DescriptorKind.EventFd)
        {
            throw new ByteRingException($"byte ring {role} descriptor is a {kind}, not an eventfd");
        }
    }

    /// <summary>A descriptor that is not a memfd at all has no seals to ask for: say so in ring terms.</summary>
    private static MemFdSeals SealsOf(SafeFd memory)
    {
        try
        {
            return MemFd.GetSeals(memory);
        }
        catch (PosixException e)
        {
            throw new ByteRingException($"byte ring memory is not a sealable memfd: {e.Message}");
        }
    }

    internal ref uint Field(int offset)
    {
        // SAFETY: callers pass one of the header constants above, all below HeaderSize, 4-byte aligned,
        // and the mapping is at least HeaderSize + MinCapacity bytes long and open while the ring lives.
        return ref *(uint*)(Base + offset);
    }

    internal Span<byte> DataSpan(uint offset, int length)
    {
        if (offset > (uint)Capacity || (uint)length > (uint)Capacity - offset)
        {
            throw new ByteRingException($"byte ring access [{offset}+{length}) outside capacity {Capacity}");
        }

        // SAFETY: [offset, offset+length) was checked against Capacity above, and HeaderSize + Capacity
        // was checked against the mapping's length when the ring was created or attached.
        return new Span<byte>(Base + HeaderSize + offset, length);
    }
}
