using System.Buffers.Binary;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// One queue's in-flight log in the shared INFLIGHT_SHMFD buffer. The device calls <see cref="Begin"/> when
/// it pops a head, <see cref="MarkUsed"/> for each head it writes to the used ring (unpublished: SplitQueue's
/// AddUsedDeferred), publishes the whole batch with one used->idx store (SplitQueue.PublishUsed), and then
/// calls <see cref="Complete"/> with the new used->idx. Publishing element by element breaks <see cref="Repair"/>,
/// which takes "the last k logged heads" to be exactly "the last k published elements" (README.md, In-flight log).
/// After a reconnect the device calls <see cref="Repair"/> with the ring's used->idx and resubmits <see cref="PendingInCounterOrder"/>.
/// Every index read from the shared buffer is bounds-checked: the front-end can write it too.
/// Not thread-safe: one ring worker owns it.
/// </summary>
public sealed class InflightQueue
{
    private readonly MemoryMapping _mapping;
    private readonly ulong _offset;
    private readonly ushort[] _batch;
    private int _batchCount;
    private ulong _counter;

    internal InflightQueue(MemoryMapping mapping, ulong offset, ushort descNum)
    {
        if (descNum == 0 || offset > mapping.Length || InflightLayout.QueueRegionSize(descNum) > mapping.Length - offset)
        {
            throw new VhostUserProtocolException($"in-flight queue of {descNum} entries at 0x{offset:x} does not fit a 0x{mapping.Length:x}-byte buffer");
        }

        _mapping = mapping;
        _offset = offset;
        DescNum = descNum;
        _batch = new ushort[descNum];
        _counter = MaxCounter() + 1;
    }

    /// <summary>Entries in this queue's log (the ring size).</summary>
    public ushort DescNum { get; }

    /// <summary>used_idx as last committed by <see cref="Complete"/>.</summary>
    public ushort UsedIdx => BinaryPrimitives.ReadUInt16LittleEndian(Header()[InflightLayout.UsedIdxOffset..]);

    public ushort LastBatchHead => BinaryPrimitives.ReadUInt16LittleEndian(Header()[InflightLayout.LastBatchHeadOffset..]);

    public bool IsInflight(ushort head) => Entry(head)[InflightLayout.EntryInflightOffset] != 0;

    public ulong CounterOf(ushort head) => BinaryPrimitives.ReadUInt64LittleEndian(Entry(head)[InflightLayout.EntryCounterOffset..]);

    /// <summary>The head was taken from the avail ring: stamp it with the next counter, then mark it in flight.</summary>
    public void Begin(ushort head)
    {
        Span<byte> e = Entry(head);
        BinaryPrimitives.WriteUInt64LittleEndian(e[InflightLayout.EntryCounterOffset..], _counter++);
        Interlocked.MemoryBarrier();
        e[InflightLayout.EntryInflightOffset] = 1;
    }

    /// <summary>The head goes into the used ring in the current batch: link it in, before used->idx is published.</summary>
    public void MarkUsed(ushort head)
    {
        Span<byte> e = Entry(head);
        if (_batchCount == _batch.Length)
        {
            throw new VhostUserProtocolException($"in-flight batch exceeds the {DescNum}-entry queue");
        }

        BinaryPrimitives.WriteUInt16LittleEndian(e[InflightLayout.EntryNextOffset..], LastBatchHead);
        Interlocked.MemoryBarrier();
        BinaryPrimitives.WriteUInt16LittleEndian(Header()[InflightLayout.LastBatchHeadOffset..], head);
        _batch[_batchCount++] = head;
    }

    /// <summary>used->idx is now <paramref name="newUsedIdx"/> in guest memory: clear the batch and record it.</summary>
    public void Complete(ushort newUsedIdx)
    {
        Interlocked.MemoryBarrier();
        for (int i = 0; i < _batchCount; i++)
        {
            Entry(_batch[i])[InflightLayout.EntryInflightOffset] = 0;
        }

        _batchCount = 0;
        Interlocked.MemoryBarrier();
        BinaryPrimitives.WriteUInt16LittleEndian(Header()[InflightLayout.UsedIdxOffset..], newUsedIdx);
    }

    /// <summary>
    /// Reconnect step 1: if the previous back-end published used->idx (<paramref name="ringUsedIdx"/>) but
    /// died before committing, the last batch was delivered; clear its entries and record the index.
    /// </summary>
    public void Repair(ushort ringUsedIdx)
    {
        ushort logged = UsedIdx;
        if (logged == ringUsedIdx)
        {
            return;
        }

        int batch = Math.Min((ushort)(ringUsedIdx - logged), DescNum);
        ushort head = LastBatchHead;
        for (int i = 0; i < batch && head < DescNum; i++)
        {
            Span<byte> e = Entry(head);
            e[InflightLayout.EntryInflightOffset] = 0;
            head = BinaryPrimitives.ReadUInt16LittleEndian(e[InflightLayout.EntryNextOffset..]);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(Header()[InflightLayout.UsedIdxOffset..], ringUsedIdx);
        _batchCount = 0;
    }

    /// <summary>Reconnect step 2: heads still in flight, oldest first (the order they were popped).</summary>
    public IReadOnlyList<ushort> PendingInCounterOrder()
    {
        List<(ulong Counter, ushort Head)> pending = [];
        for (int i = 0; i < DescNum; i++)
        {
            if (IsInflight((ushort)i))
            {
                pending.Add((CounterOf((ushort)i), (ushort)i));
            }
        }

        pending.Sort();
        _counter = MaxCounter() + 1;
        return [.. pending.Select(p => p.Head)];
    }

    private ulong MaxCounter()
    {
        ulong max = 0;
        for (int i = 0; i < DescNum; i++)
        {
            max = Math.Max(max, CounterOf((ushort)i));
        }

        // A hostile buffer could hold ulong.MaxValue; wrapping to 0 only spoils ordering, never memory safety.
        return max == ulong.MaxValue ? 0 : max;
    }

    private Span<byte> Header() => _mapping.GetSpan(_offset, InflightLayout.HeaderSize);

    private Span<byte> Entry(ushort head)
    {
        if (head >= DescNum)
        {
            throw new VhostUserProtocolException($"in-flight head {head} is outside the {DescNum}-entry queue");
        }

        return _mapping.GetSpan(_offset + InflightLayout.HeaderSize + ((ulong)head * InflightLayout.EntrySize), InflightLayout.EntrySize);
    }
}
