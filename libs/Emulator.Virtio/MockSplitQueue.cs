using System.Buffers.Binary;
using Emulator.Memory;

namespace Emulator.Virtio;

/// <summary>
/// The driver side of a split virtqueue, for testing devices without a guest. Lays the rings out
/// at a base address (descriptor table, avail ring, used ring, each aligned as the spec requires)
/// and bump-allocates data buffers from the rest of that RAM region. <see cref="AddChain"/> and
/// <see cref="AddIndirectChain"/> build well-formed chains from free descriptors (recycled by
/// <see cref="TryGetUsed"/>); the raw methods build hostile ones. Errors in its own use throw
/// <see cref="InvalidOperationException"/> or <see cref="ArgumentException"/>.
/// </summary>
public sealed class MockSplitQueue
{
    private readonly Queue<ushort> _freeDescriptors = new();
    private readonly Dictionary<ushort, ushort[]> _inFlight = [];
    private ulong _nextData;
    private ushort _lastSeenUsed;

    /// <summary>Lays out and zeroes the rings; the data area runs to the end of the region holding baseAddress.</summary>
    public MockSplitQueue(GuestMemory memory, ulong baseAddress, ushort size)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (!SplitRingLayout.IsValidQueueSize(size))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "queue size must be a power of two in 1..32768");
        }

        GuestRegion region = memory.FindRegion(baseAddress)
            ?? throw new ArgumentException($"base address 0x{baseAddress:x} is not in guest RAM", nameof(baseAddress));
        Memory = memory;
        Size = size;
        DescTable = AlignUp(baseAddress, SplitRingLayout.DescTableAlignment);
        AvailRing = checked(DescTable + SplitRingLayout.DescTableBytes(size));
        UsedRing = AlignUp(checked(AvailRing + SplitRingLayout.AvailRingBytes(size)), SplitRingLayout.UsedRingAlignment);
        DataStart = AlignUp(checked(UsedRing + SplitRingLayout.UsedRingBytes(size)), 16);
        DataEnd = region.End;
        if (DataStart > DataEnd)
        {
            throw new ArgumentException($"rings for {size} entries do not fit in the region after 0x{baseAddress:x}", nameof(baseAddress));
        }

        memory.Zero(DescTable, DataStart - DescTable);
        _nextData = DataStart;
        for (int i = 0; i < size; i++)
        {
            _freeDescriptors.Enqueue((ushort)i);
        }
    }

    public GuestMemory Memory { get; }

    public ushort Size { get; }

    public ulong DescTable { get; }

    public ulong AvailRing { get; }

    public ulong UsedRing { get; }

    /// <summary>First byte of the data area (16-byte aligned, after the used ring).</summary>
    public ulong DataStart { get; }

    /// <summary>Exclusive end of the data area.</summary>
    public ulong DataEnd { get; }

    public ushort AvailIndex => Memory.LoadAcquireU16(AvailRing + SplitRingLayout.IndexOffset);

    public ushort UsedIndex => Memory.LoadAcquireU16(UsedRing + SplitRingLayout.IndexOffset);

    public ushort AvailFlags
    {
        get => Memory.LoadAcquireU16(AvailRing + SplitRingLayout.FlagsOffset);
        set => Memory.StoreReleaseU16(AvailRing + SplitRingLayout.FlagsOffset, value);
    }

    /// <summary>Written by the device (NO_NOTIFY).</summary>
    public ushort UsedFlags => Memory.LoadAcquireU16(UsedRing + SplitRingLayout.FlagsOffset);

    /// <summary>The driver's used_event (EVENT_IDX): interrupt me once used.idx passes this.</summary>
    public ushort UsedEvent
    {
        get => Memory.LoadAcquireU16(AvailRing + SplitRingLayout.UsedEventOffset(Size));
        set => Memory.StoreReleaseU16(AvailRing + SplitRingLayout.UsedEventOffset(Size), value);
    }

    /// <summary>Written by the device (EVENT_IDX): kick me once avail.idx passes this.</summary>
    public ushort AvailEvent => Memory.LoadAcquireU16(UsedRing + SplitRingLayout.AvailEventOffset(Size));

    /// <summary>A device queue over the same rings, starting at the current used.idx.</summary>
    public SplitQueue CreateDeviceQueue(bool eventIdx)
    {
        ushort start = UsedIndex;
        return new SplitQueue(Memory, Size, DescTable, AvailRing, UsedRing, eventIdx) { NextAvail = start, NextUsed = start };
    }

    /// <summary>Takes length bytes from the data area.</summary>
    public ulong Allocate(ulong length, ulong alignment = 16)
    {
        ulong start = AlignUp(_nextData, alignment);
        if (start > DataEnd || length > DataEnd - start)
        {
            throw new InvalidOperationException($"mock data area cannot hold {length} more bytes; call ResetAllocator");
        }

        _nextData = start + length;
        return start;
    }

    /// <summary>Makes the whole data area free again (buffers of chains still in flight are then reused).</summary>
    public void ResetAllocator() => _nextData = DataStart;

    /// <summary>Allocates a buffer holding data.</summary>
    public ulong AllocateData(ReadOnlySpan<byte> data)
    {
        ulong address = Allocate((ulong)data.Length);
        Memory.Write(address, data);
        return address;
    }

    /// <summary>Builds a direct chain (readable buffers with the given bytes, then zeroed writable ones) and publishes it.</summary>
    public MockChain AddChain(ReadOnlySpan<byte[]> readable, ReadOnlySpan<uint> writableLengths)
    {
        List<Descriptor> buffers = LayOutBuffers(readable, writableLengths);
        if (buffers.Count > _freeDescriptors.Count)
        {
            throw new InvalidOperationException($"chain needs {buffers.Count} descriptors, but only {_freeDescriptors.Count} are free");
        }

        ushort[] indexes = new ushort[buffers.Count];
        for (int i = 0; i < indexes.Length; i++)
        {
            indexes[i] = _freeDescriptors.Dequeue();
        }

        for (int i = 0; i < indexes.Length; i++)
        {
            bool last = i == indexes.Length - 1;
            WriteDescriptor(indexes[i], buffers[i].Address, buffers[i].Length, Flags(buffers[i], last), last ? (ushort)0 : indexes[i + 1]);
        }

        _inFlight[indexes[0]] = indexes;
        PublishAvail(indexes[0]);
        return ToChain(indexes[0], buffers);
    }

    /// <summary>Like <see cref="AddChain"/>, but the buffers go in an indirect table named by one descriptor.</summary>
    public MockChain AddIndirectChain(ReadOnlySpan<byte[]> readable, ReadOnlySpan<uint> writableLengths)
    {
        List<Descriptor> buffers = LayOutBuffers(readable, writableLengths);
        if (_freeDescriptors.Count == 0)
        {
            throw new InvalidOperationException("no free descriptor for the indirect table");
        }

        ulong tableLength = SplitRingLayout.DescriptorSize * (ulong)buffers.Count;
        ulong table = Allocate(tableLength, SplitRingLayout.DescTableAlignment);
        for (int i = 0; i < buffers.Count; i++)
        {
            bool last = i == buffers.Count - 1;
            WriteDescriptorAt(table + (SplitRingLayout.DescriptorSize * (ulong)i), buffers[i].Address, buffers[i].Length, Flags(buffers[i], last), last ? (ushort)0 : (ushort)(i + 1));
        }

        ushort head = _freeDescriptors.Dequeue();
        WriteDescriptor(head, table, checked((uint)tableLength), DescriptorFlags.Indirect, 0);
        _inFlight[head] = [head];
        PublishAvail(head);
        return ToChain(head, buffers);
    }

    /// <summary>Writes descriptor table entry index as given, however broken.</summary>
    public void WriteDescriptor(ushort index, ulong address, uint length, ushort flags, ushort next)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
        WriteDescriptorAt(DescTable + (SplitRingLayout.DescriptorSize * index), address, length, flags, next);
    }

    /// <summary>Writes a descriptor anywhere in guest memory (for hand-made indirect tables).</summary>
    public void WriteDescriptorAt(ulong entryAddress, ulong address, uint length, ushort flags, ushort next)
    {
        Span<byte> bytes = stackalloc byte[(int)SplitRingLayout.DescriptorSize];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, address);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[12..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[14..], next);
        Memory.Write(entryAddress, bytes);
    }

    /// <summary>Puts head in the next avail ring entry, then publishes avail.idx + 1 with release order.</summary>
    public void PublishAvail(ushort head)
    {
        ushort idx = AvailIndex;
        Span<byte> entry = stackalloc byte[sizeof(ushort)];
        BinaryPrimitives.WriteUInt16LittleEndian(entry, head);
        Memory.Write(AvailRing + SplitRingLayout.RingOffset + (2UL * (ushort)(idx % Size)), entry);
        SetAvailIndex((ushort)(idx + 1));
    }

    public void SetAvailIndex(ushort index) => Memory.StoreReleaseU16(AvailRing + SplitRingLayout.IndexOffset, index);

    /// <summary>Sets used.idx (test setup, e.g. to start near the 16-bit wrap); TryGetUsed continues from there.</summary>
    public void SetUsedIndex(ushort index)
    {
        Memory.StoreReleaseU16(UsedRing + SplitRingLayout.IndexOffset, index);
        _lastSeenUsed = index;
    }

    /// <summary>Takes the next used element, freeing the descriptors of a chain this mock built.</summary>
    public bool TryGetUsed(out ushort id, out uint length)
    {
        id = 0;
        length = 0;
        if (UsedIndex == _lastSeenUsed)
        {
            return false;
        }

        ulong element = UsedRing + SplitRingLayout.RingOffset + (SplitRingLayout.UsedElementSize * (ushort)(_lastSeenUsed % Size));
        uint rawId = Memory.ReadU32(element);
        length = Memory.ReadU32(element + 4);
        _lastSeenUsed++;
        if (rawId >= Size)
        {
            throw new InvalidOperationException($"device returned descriptor id {rawId}, past the queue size {Size}");
        }

        id = (ushort)rawId;
        if (_inFlight.Remove(id, out ushort[]? indexes))
        {
            foreach (ushort i in indexes)
            {
                _freeDescriptors.Enqueue(i);
            }
        }

        return true;
    }

    /// <summary>The first length bytes of the chain's writable buffers, concatenated.</summary>
    public byte[] ReadWritten(MockChain chain, uint length)
    {
        ArgumentNullException.ThrowIfNull(chain);
        byte[] result = new byte[length];
        Span<byte> rest = result;
        foreach (Descriptor b in chain.Writable)
        {
            int n = (int)Math.Min(b.Length, (uint)rest.Length);
            Memory.Read(b.Address, rest[..n]);
            rest = rest[n..];
        }

        if (!rest.IsEmpty)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "longer than the chain's writable buffers");
        }

        return result;
    }

    private List<Descriptor> LayOutBuffers(ReadOnlySpan<byte[]> readable, ReadOnlySpan<uint> writableLengths)
    {
        if (readable.Length + writableLengths.Length == 0)
        {
            throw new ArgumentException("a chain needs at least one buffer", nameof(readable));
        }

        List<Descriptor> buffers = [];
        foreach (byte[] data in readable)
        {
            buffers.Add(new Descriptor(AllocateData(data), (uint)data.Length, false));
        }

        foreach (uint length in writableLengths)
        {
            ulong address = Allocate(length);
            Memory.Zero(address, length);
            buffers.Add(new Descriptor(address, length, true));
        }

        return buffers;
    }

    private static ushort Flags(Descriptor buffer, bool last) =>
        (ushort)((buffer.IsWritable ? DescriptorFlags.Write : 0) | (last ? 0 : DescriptorFlags.Next));

    private static MockChain ToChain(ushort head, List<Descriptor> buffers) =>
        new(head, [.. buffers.Where(b => !b.IsWritable)], [.. buffers.Where(b => b.IsWritable)]);

    private static ulong AlignUp(ulong value, ulong alignment) => checked(value + alignment - 1) / alignment * alignment;
}
