using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// The writing side of a <see cref="ByteRing"/>. <see cref="TryWrite"/> never drops: it copies what
/// fits and says how much. A producer facing a full ring announces that it waits
/// (<see cref="TryArmSpaceNotification"/> or <see cref="WaitForSpace"/>) and the consumer signals
/// <see cref="ByteRing.SpaceAvailable"/> once it has made room. Use from one thread at a time.
/// </summary>
public sealed class ByteRingProducer
{
    private readonly ByteRing _ring;
    private readonly uint _capacity;
    private readonly uint _mask;
    private readonly Func<bool> _hasSpace;
    private uint _head;

    internal ByteRingProducer(ByteRing ring)
    {
        _ring = ring;
        _capacity = (uint)ring.Capacity;
        _mask = _capacity - 1;
        _head = Volatile.Read(ref ring.Field(ByteRing.ProducerIndexOffset));
        _ = Used();
        _hasSpace = () => FreeSpace > 0;
    }

    public ByteRing Ring => _ring;

    /// <summary>Bytes that can be written now.</summary>
    public int FreeSpace => (int)(_capacity - Used());

    /// <summary>Copies as much of <paramref name="data"/> as fits; returns the count (0 when full).</summary>
    public int TryWrite(ReadOnlySpan<byte> data)
    {
        int n = (int)Math.Min((uint)data.Length, _capacity - Used());
        if (n == 0)
        {
            return 0;
        }

        uint offset = _head & _mask;
        int first = (int)Math.Min((uint)n, _capacity - offset);
        data[..first].CopyTo(_ring.DataSpan(offset, first));
        data[first..n].CopyTo(_ring.DataSpan(0, n - first));
        _head += (uint)n;
        Volatile.Write(ref _ring.Field(ByteRing.ProducerIndexOffset), _head);

        RingDoorbell.RingIfWaiting(_ring, ByteRing.ConsumerWaitingOffset, _ring.DataAvailable);

        return n;
    }

    /// <summary>
    /// Announces that we wait for space. Returns false if space is already available (nothing armed);
    /// true if armed: <see cref="ByteRing.SpaceAvailable"/> will be signalled when the consumer reads.
    /// </summary>
    public bool TryArmSpaceNotification() => RingDoorbell.TryArm(_ring, ByteRing.ProducerWaitingOffset, _hasSpace);

    /// <summary>Withdraws an armed notification (a late signal may still arrive; waiters re-check).</summary>
    public void DisarmSpaceNotification() => RingDoorbell.Disarm(_ring, ByteRing.ProducerWaitingOffset);

    /// <summary>
    /// Blocks until some space is free (true), <paramref name="timeoutMs"/> passes (-1 = forever) or
    /// <paramref name="cancel"/> becomes readable (false).
    /// </summary>
    public bool WaitForSpace(int timeoutMs, SafeFd? cancel = null) =>
        RingDoorbell.Wait(_ring, ByteRing.ProducerWaitingOffset, _ring.SpaceAvailable, _hasSpace, timeoutMs, cancel);

    private uint Used()
    {
        uint tail = Volatile.Read(ref _ring.Field(ByteRing.ConsumerIndexOffset));
        uint used = _head - tail;
        return used <= _capacity
            ? used
            : throw new ByteRingException($"byte ring consumer index {tail} is inconsistent with producer index {_head} (capacity {_capacity})");
    }
}
