namespace Emulator.Posix;

/// <summary>
/// A one-way "stop now" flag that blocked threads wait on: an eventfd that, once set, stays readable
/// (it is never consumed), polled next to whatever descriptor a thread waits for; plus a cancellation
/// token for .NET calls. <see cref="Set"/> is safe from any thread at any time, before or after
/// <see cref="Dispose"/> (a stop that races disposal has nobody left to stop).
/// </summary>
public sealed class StopEvent : IDisposable
{
    private readonly EventFd _event = new();
    private readonly CancellationTokenSource _cancellation = new();
    private readonly Lock _lock = new();
    private bool _set;
    private bool _disposed;

    public bool IsSet
    {
        get
        {
            lock (_lock)
            {
                return _set;
            }
        }
    }

    /// <summary>Readable once set. Poll it (PollEvents.In) next to other descriptors; never read it.</summary>
    public SafeFd Handle => _event.Handle;

    /// <summary>Cancelled once set, for .NET APIs that take a token.</summary>
    public CancellationToken Token => _cancellation.Token;

    public void Set()
    {
        lock (_lock)
        {
            if (_set || _disposed)
            {
                return;
            }

            _set = true;
            _event.Signal();

            // Under the lock so Dispose cannot free the source mid-cancel (Lock is re-entrant, so a
            // token callback may call back into this object).
            _cancellation.Cancel();
        }
    }

    /// <summary>Polls <paramref name="fd"/> for <paramref name="events"/>: its revents, 0 on timeout, -1 once stopped.</summary>
    public int Wait(SafeFd fd, short events, int timeoutMs)
    {
        Span<short> revents = stackalloc short[2];
        if (Poller.Wait([fd, _event.Handle], [events, PollEvents.In], revents, timeoutMs) == 0)
        {
            return 0;
        }

        return revents[1] != 0 ? -1 : revents[0];
    }

    /// <summary>Sleeps up to <paramref name="timeoutMs"/> (-1: until stopped); false once stopped.</summary>
    public bool Sleep(int timeoutMs) => Poller.WaitOne(_event.Handle, PollEvents.In, timeoutMs) == 0;

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _event.Dispose();
            _cancellation.Dispose();
        }
    }
}
