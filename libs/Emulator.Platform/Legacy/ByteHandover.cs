namespace Emulator.Platform;

/// <summary>
/// A bounded byte queue from any producer thread to the vCPU thread. It never drops: <see cref="Offer"/>
/// accepts only what fits and the producer awaits <see cref="WhenSpaceAvailable"/> before offering the
/// rest (the back-pressure a chardev needs to pause its socket or terminal reads).
/// </summary>
public sealed class ByteHandover
{
    private readonly Lock _lock = new();
    private readonly byte[] _buffer;
    private int _head;
    private int _count;
    private TaskCompletionSource? _spaceWaiter;

    public ByteHandover(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _buffer = new byte[capacity];
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Queues as many leading bytes of <paramref name="data"/> as fit; returns how many. Any thread.</summary>
    public int Offer(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            int accepted = Math.Min(data.Length, _buffer.Length - _count);
            for (int i = 0; i < accepted; i++)
            {
                _buffer[(_head + _count + i) % _buffer.Length] = data[i];
            }

            _count += accepted;
            return accepted;
        }
    }

    /// <summary>Completes once the queue has room for at least one byte. Any thread.</summary>
    public Task WhenSpaceAvailable(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_count < _buffer.Length)
            {
                return Task.CompletedTask;
            }

            _spaceWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _spaceWaiter.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Moves up to <paramref name="destination"/>.Length bytes out; returns how many. Consumer thread.</summary>
    public int Take(Span<byte> destination)
    {
        TaskCompletionSource? waiter;
        int taken;
        lock (_lock)
        {
            taken = Math.Min(destination.Length, _count);
            for (int i = 0; i < taken; i++)
            {
                destination[i] = _buffer[(_head + i) % _buffer.Length];
            }

            _head = (_head + taken) % _buffer.Length;
            _count -= taken;
            waiter = taken > 0 ? _spaceWaiter : null;
            if (waiter is not null)
            {
                _spaceWaiter = null;
            }
        }

        waiter?.TrySetResult();
        return taken;
    }
}
