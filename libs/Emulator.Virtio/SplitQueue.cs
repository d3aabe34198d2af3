using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Emulator.Memory;

namespace Emulator.Virtio;

/// <summary>
/// The device side of a split virtqueue (virtio 1.2, 2.7) over shared guest memory, assuming a
/// hostile driver. Not thread-safe: one thread services a queue. The usual loop after a kick:
/// <code>
/// do
/// {
///     queue.DisableNotification();
///     while (queue.TryPop(out DescriptorChain? chain))
///     {
///         Handle(chain.Reader, chain.Writer);
///         queue.AddUsed(chain.HeadIndex, chain.Writer.BytesWritten);
///     }
///
///     queue.EnableNotification();
/// }
/// while (queue.HasAvailable);
/// if (queue.NeedsNotification()) { /* signal the call eventfd */ }
/// </code>
/// With an in-flight log a batch is returned with <see cref="AddUsedDeferred"/> per chain and one
/// <see cref="PublishUsed"/>, so the driver sees the whole batch or none of it.
/// <para>
/// With a <see cref="WriteLog"/> every write the device makes through a chain's
/// <see cref="DescriptorChain.Writer"/> is logged after the bytes land, and with a
/// <see cref="UsedRingLogAddress"/> so is every used-ring write (elements, idx, flags, avail_event);
/// used.idx is logged before it is stored. A device needs nothing else to keep the log complete as long
/// as it writes guest memory only through the queue and its chains.
/// </para>
/// </summary>
public sealed class SplitQueue
{
    private readonly GuestMemory _memory;
    private readonly ulong _descTable;
    private readonly ulong _availRing;
    private readonly ulong _usedRing;
    private readonly bool _eventIdx;
    private bool _notificationsEnabled = true;
    private ushort _nextUsed;
    private ushort _publishedUsed;
    private ushort _signalledUsed;
    private bool _signalledUsedValid;

    /// <summary>
    /// Checks the layout the driver chose: size a power of two in 1..32768, each ring aligned as
    /// the spec requires and wholly in guest RAM, and every index/flags/event field inside one
    /// region so it can be accessed atomically. Throws <see cref="VirtqueueException"/> otherwise.
    /// </summary>
    public SplitQueue(GuestMemory memory, ushort size, ulong descTable, ulong availRing, ulong usedRing, bool eventIdx)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (!SplitRingLayout.IsValidQueueSize(size))
        {
            throw new VirtqueueException($"queue size {size} is not a power of two in 1..{SplitRingLayout.MaxQueueSize}");
        }

        CheckRing(memory, "descriptor table", descTable, SplitRingLayout.DescTableBytes(size), SplitRingLayout.DescTableAlignment);
        CheckRing(memory, "available ring", availRing, SplitRingLayout.AvailRingBytes(size), SplitRingLayout.AvailRingAlignment);
        CheckRing(memory, "used ring", usedRing, SplitRingLayout.UsedRingBytes(size), SplitRingLayout.UsedRingAlignment);
        foreach (ulong field in (ReadOnlySpan<ulong>)[
            availRing + SplitRingLayout.FlagsOffset,
            availRing + SplitRingLayout.IndexOffset,
            availRing + SplitRingLayout.UsedEventOffset(size),
            usedRing + SplitRingLayout.FlagsOffset,
            usedRing + SplitRingLayout.IndexOffset,
            usedRing + SplitRingLayout.AvailEventOffset(size)])
        {
            if (memory.FindRegion(field) is not { } region || !region.Contains(field, sizeof(ushort)))
            {
                throw new VirtqueueException($"ring field at 0x{field:x} straddles two RAM regions");
            }
        }

        _memory = memory;
        Size = size;
        _descTable = descTable;
        _availRing = availRing;
        _usedRing = usedRing;
        _eventIdx = eventIdx;
    }

    public ushort Size { get; }

    /// <summary>
    /// Where buffer writes (through chain writers) are logged, or null for no logging (vhost-user:
    /// VHOST_F_LOG_ALL negotiated and a log given with SET_LOG_BASE).
    /// </summary>
    public IGuestWriteLog? WriteLog { get; init; }

    /// <summary>
    /// The guest address used-ring writes are logged at (vhost-user: <c>log_guest_addr</c> when
    /// SET_VRING_ADDR has VHOST_VRING_F_LOG; normally the used ring's own guest-physical address), or null
    /// to leave the used ring out of the log. Needs <see cref="WriteLog"/>.
    /// </summary>
    public ulong? UsedRingLogAddress { get; init; }

    /// <summary>The next avail ring entry to pop (last_avail_idx; vhost-user GET/SET_VRING_BASE).</summary>
    public ushort NextAvail { get; set; }

    /// <summary>
    /// The used idx the next <see cref="AddUsed"/> publishes past (it counts deferred elements not yet
    /// published). Setting it drops any unpublished elements and restarts notification tracking.
    /// </summary>
    public ushort NextUsed
    {
        get => _nextUsed;
        set
        {
            _nextUsed = value;
            _publishedUsed = value;
            _signalledUsedValid = false;
        }
    }

    /// <summary>Used elements written by <see cref="AddUsedDeferred"/> that <see cref="PublishUsed"/> has not made visible yet.</summary>
    public int UnpublishedUsed => (ushort)(_nextUsed - _publishedUsed);

    /// <summary>True when the driver has published entries not yet popped.</summary>
    public bool HasAvailable => AvailIndex != NextAvail;

    private ushort AvailIndex => _memory.LoadAcquireU16(_availRing + SplitRingLayout.IndexOffset);

    /// <summary>
    /// Pops the next available chain. False when none is available. Throws
    /// <see cref="VirtqueueException"/> on a broken ring; a bad chain is consumed all the same
    /// (NextAvail moves past it), so the device can fail it and go on or set NEEDS_RESET.
    /// </summary>
    public bool TryPop([NotNullWhen(true)] out DescriptorChain? chain)
    {
        chain = null;
        ushort availIdx = AvailIndex;
        ushort pending = (ushort)(availIdx - NextAvail);
        if (pending == 0)
        {
            return false;
        }

        if (pending > Size)
        {
            throw new VirtqueueException($"driver claims {pending} available entries (avail.idx {availIdx}, next {NextAvail}), but the queue holds only {Size}");
        }

        // The acquire load of avail.idx above orders this read after the driver's ring write.
        ushort head = _memory.ReadU16(_availRing + SplitRingLayout.RingOffset + (2UL * (ushort)(NextAvail % Size)));
        NextAvail++;
        if (_eventIdx && _notificationsEnabled)
        {
            PublishAvailEvent();
        }

        chain = DescriptorChainWalker.Walk(_memory, _descTable, Size, head, WriteLog);
        return true;
    }

    /// <summary>
    /// Walks the chain that starts at descriptor <paramref name="head"/> again, with the same checks as
    /// <see cref="TryPop"/>, but without reading the avail ring or moving <see cref="NextAvail"/> (and
    /// without touching notifications). For a chain popped earlier whose buffers are needed again: one an
    /// in-flight log says a previous back-end popped and never returned. Throws
    /// <see cref="VirtqueueException"/> for a head past the queue or a broken chain. The driver still owns
    /// the descriptors: the walk sees them as they are now, which is what a resubmission must use.
    /// </summary>
    public DescriptorChain ReadChain(ushort head)
    {
        if (head >= Size)
        {
            throw new VirtqueueException($"head descriptor {head} is past the queue size {Size}");
        }

        return DescriptorChainWalker.Walk(_memory, _descTable, Size, head, WriteLog);
    }

    /// <summary>Returns a chain to the driver: writes the used element, then publishes used.idx with release order.</summary>
    public void AddUsed(ushort headIndex, uint writtenLength)
    {
        AddUsedDeferred(headIndex, writtenLength);
        PublishUsed();
    }

    /// <summary>
    /// Writes a used element without publishing it: the driver does not see it until <see cref="PublishUsed"/>.
    /// Lets a batch become visible all at once (one used.idx store), which an in-flight log needs so that
    /// "the last k logged heads" and "the last k published elements" are the same set after a crash.
    /// At most <see cref="Size"/> elements may wait unpublished (more would overwrite ones not yet seen).
    /// </summary>
    public void AddUsedDeferred(ushort headIndex, uint writtenLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(headIndex, Size);
        if (UnpublishedUsed >= Size)
        {
            throw new InvalidOperationException($"{Size} used elements already wait for PublishUsed; another would overwrite one of them");
        }

        Span<byte> element = stackalloc byte[(int)SplitRingLayout.UsedElementSize];
        BinaryPrimitives.WriteUInt32LittleEndian(element, headIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(element[4..], writtenLength);
        ulong offset = SplitRingLayout.RingOffset + (SplitRingLayout.UsedElementSize * (ushort)(_nextUsed % Size));
        _memory.Write(_usedRing + offset, element);
        LogUsedRing(offset, SplitRingLayout.UsedElementSize);
        _nextUsed++;
    }

    /// <summary>
    /// Publishes every element added since the last publish with one release store of used.idx (the
    /// elements become visible first). Returns the new used.idx (for <c>InflightQueue.Complete</c>).
    /// </summary>
    public ushort PublishUsed()
    {
        if (_publishedUsed != _nextUsed)
        {
            // Logged before the store: whoever sees the new index finds the log entry already there.
            LogUsedRing(SplitRingLayout.IndexOffset, sizeof(ushort));
            _memory.StoreReleaseU16(_usedRing + SplitRingLayout.IndexOffset, _nextUsed);
            _publishedUsed = _nextUsed;
        }

        return _publishedUsed;
    }

    /// <summary>
    /// Whether to interrupt the driver for the used entries published since the last call: with
    /// EVENT_IDX when used.idx passed used_event, otherwise unless avail.flags has NO_INTERRUPT.
    /// False when nothing was added since the last call.
    /// </summary>
    public bool NeedsNotification()
    {
        // used.idx must be visible before we read the driver's suppression state (store-load order).
        Interlocked.MemoryBarrier();
        ushort old = _signalledUsed;
        bool valid = _signalledUsedValid;
        _signalledUsed = _publishedUsed;
        _signalledUsedValid = true;
        if (valid && old == _publishedUsed)
        {
            return false;
        }

        if (!_eventIdx)
        {
            return (_memory.LoadAcquireU16(_availRing + SplitRingLayout.FlagsOffset) & RingFlags.AvailNoInterrupt) == 0;
        }

        if (!valid)
        {
            return true;
        }

        ushort usedEvent = _memory.LoadAcquireU16(_availRing + SplitRingLayout.UsedEventOffset(Size));
        return NeedEvent(usedEvent, _publishedUsed, old);
    }

    /// <summary>
    /// Asks the driver to kick again: clears used.flags NO_NOTIFY, or with EVENT_IDX sets
    /// avail_event to NextAvail. Re-check <see cref="HasAvailable"/> afterwards: entries added
    /// before the driver saw this came without a kick.
    /// </summary>
    public void EnableNotification()
    {
        _notificationsEnabled = true;
        if (_eventIdx)
        {
            PublishAvailEvent();
        }
        else
        {
            LogUsedRing(SplitRingLayout.FlagsOffset, sizeof(ushort));
            _memory.StoreReleaseU16(_usedRing + SplitRingLayout.FlagsOffset, 0);
        }

        // Make the request visible before the caller re-reads avail.idx (store-load order).
        Interlocked.MemoryBarrier();
    }

    /// <summary>
    /// Tells the driver kicks are not needed: sets used.flags NO_NOTIFY, or with EVENT_IDX (where
    /// flags must stay 0) stops advancing avail_event, so at most one more kick arrives.
    /// </summary>
    public void DisableNotification()
    {
        _notificationsEnabled = false;
        if (!_eventIdx)
        {
            LogUsedRing(SplitRingLayout.FlagsOffset, sizeof(ushort));
            _memory.StoreReleaseU16(_usedRing + SplitRingLayout.FlagsOffset, RingFlags.UsedNoNotify);
        }
    }

    /// <summary>
    /// vring_need_event: true when event lies in [old, next) modulo 2^16, i.e. used.idx just
    /// moved past the entry the driver asked to hear about.
    /// </summary>
    private static bool NeedEvent(ushort eventIdx, ushort next, ushort old) =>
        (ushort)(next - eventIdx - 1) < (ushort)(next - old);

    private void PublishAvailEvent()
    {
        LogUsedRing(SplitRingLayout.AvailEventOffset(Size), sizeof(ushort));
        _memory.StoreReleaseU16(_usedRing + SplitRingLayout.AvailEventOffset(Size), NextAvail);
    }

    /// <summary>Logs a used-ring write at its log address; an address that would wrap is not logged (the log could not hold it).</summary>
    private void LogUsedRing(ulong offset, ulong length)
    {
        if (WriteLog is { } log && UsedRingLogAddress is ulong logBase && logBase <= ulong.MaxValue - offset)
        {
            log.LogWrite(logBase + offset, length);
        }
    }

    private static void CheckRing(GuestMemory memory, string name, ulong address, ulong length, ulong alignment)
    {
        if (address % alignment != 0)
        {
            throw new VirtqueueException($"{name} address 0x{address:x} is not {alignment}-byte aligned");
        }

        if (!memory.IsValidRange(address, length))
        {
            throw new VirtqueueException($"{name} [0x{address:x}, +0x{length:x}) is not in guest RAM");
        }
    }
}
