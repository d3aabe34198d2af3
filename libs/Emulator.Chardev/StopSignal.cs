using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// A one-way "stop now" flag that blocked threads can wait on: an eventfd polled next to the
/// descriptor they wait for, and a cancellation token for .NET socket calls. Once set it stays set.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly EventFd _event = new();
    private readonly CancellationTokenSource _cancellation = new();
    private int _set;

    public bool IsSet => Volatile.Read(ref _set) != 0;

    public SafeFd Handle => _event.Handle;

    public CancellationToken Token => _cancellation.Token;

    public void Set()
    {
        if (Interlocked.Exchange(ref _set, 1) == 0)
        {
            _event.Signal();
            _cancellation.Cancel();
        }
    }

    /// <summary>Polls <paramref name="fd"/> for <paramref name="events"/>: its revents, 0 on timeout, -1 once stopped.</summary>
    public int Wait(SafeFd fd, short events, int timeoutMs) => Wait(fd.Number, events, timeoutMs);

    public int Wait(int fd, short events, int timeoutMs)
    {
        Span<PollFd> fds = [new PollFd(fd, events), new PollFd(_event.Handle.Number, PollEvents.In)];
        if (Poller.Wait(fds, timeoutMs) == 0)
        {
            return 0;
        }

        return fds[1].Revents != 0 ? -1 : fds[0].Revents;
    }

    /// <summary>Sleeps up to <paramref name="timeoutMs"/> (-1 = until stopped); false once stopped.</summary>
    public bool Sleep(int timeoutMs) => Poller.WaitOne(_event.Handle, PollEvents.In, timeoutMs) == 0;

    public void Dispose()
    {
        _event.Dispose();
        _cancellation.Dispose();
    }
}
