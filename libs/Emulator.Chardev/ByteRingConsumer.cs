using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// The reading side of a <see cref="ByteRing"/>. <see cref="Read"/> takes what is there;
/// <see cref="WaitForData"/> spins briefly after recent traffic, then announces that it waits,
/// re-checks, and blocks on <see cref="ByteRing.DataAvailable"/>. Reading signals
/// <see cref="ByteRing.SpaceAvailable"/> when the producer announced a full ring. Use from one
/// thread at a time.
/// </summary>
public sealed class ByteRingConsumer
{
    /// <summary>Spin rounds before sleeping when the ring was busy a moment ago.</summary>
    private const int SpinRounds = 20;

    private readonly ByteRing _ring;
    private readonly uint _capacity;
    private readonly uint _mask;
    private readonly Func<bool> _hasData;
    private uint _tail;
    private bool _recentlyActive;

    internal ByteRingConsumer(ByteRing ring)
    {
        _ring = ring;
        _capacity = (uint)ring.Capacity;
        _mask = _capacity - 1;
        _tail = Volatile.Read(ref ring.Field(ByteRing.ConsumerIndexOffset));
        _ = Available;
        _hasData = () => Available > 0;
    }

    public ByteRing Ring => _ring;

    /// <summary>Bytes ready to read.</summary>
    public int Available
    {
        get
        {
            uint head = Volatile.Read(ref _ring.Field(ByteRing.ProducerIndexOffset));
            uint count = head - _tail;
            return count <= _capacity
                ? (int)count
                : throw new ByteRingException($"byte ring producer index {head} is inconsistent with consumer index {_tail} (capacity {_capacity})");
        }
    }

    /// <summary>Copies up to buffer.Length bytes out; returns the count (0 when empty).</summary>
    public int Read(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, Available);
        _recentlyActive = n > 0;
        if (n == 0)
        {
            return 0;
        }

        uint offset = _tail & _mask;
        int first = (int)Math.Min((uint)n, _capacity - offset);
        _ring.DataSpan(offset, first).CopyTo(buffer);
        _ring.DataSpan(0, n - first).CopyTo(buffer[first..]);
        _tail += (uint)n;
        Volatile.Write(ref _ring.Field(ByteRing.ConsumerIndexOffset), _tail);

        RingDoorbell.RingIfWaiting(_ring, ByteRing.ProducerWaitingOffset, _ring.SpaceAvailable);

        return n;
    }

    /// <summary>
    /// Announces that we wait for data. Returns false if data is already there (nothing armed); true
    /// if armed: <see cref="ByteRing.DataAvailable"/> will be signalled by the next write.
    /// </summary>
    public bool TryArmDataNotification() => RingDoorbell.TryArm(_ring, ByteRing.ConsumerWaitingOffset, _hasData);

    /// <summary>Withdraws an armed notification (a late signal may still arrive; waiters re-check).</summary>
    public void DisarmDataNotification() => RingDoorbell.Disarm(_ring, ByteRing.ConsumerWaitingOffset);

    /// <summary>
    /// Blocks until data is available (true), <paramref name="timeoutMs"/> passes (-1 = forever) or
    /// <paramref name="cancel"/> becomes readable (false). Spins a little first if the last read found
    /// data, since console output tends to come in bursts.
    /// </summary>
    public bool WaitForData(int timeoutMs, SafeFd? cancel = null)
    {
        if (_recentlyActive)
        {
            SpinWait spin = default;
            for (int i = 0; i < SpinRounds && Available == 0; i++)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            _recentlyActive = false;
        }

        return RingDoorbell.Wait(_ring, ByteRing.ConsumerWaitingOffset, _ring.DataAvailable, _hasData, timeoutMs, cancel);
    }
}
