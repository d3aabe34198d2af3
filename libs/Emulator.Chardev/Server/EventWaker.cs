using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// A thread that waits on one eventfd and runs a callback each time it fires: it turns a ring's
/// "data available" or "space available" signal into a <see cref="VhostUser.VringWorker.Wake"/>,
/// since the worker itself polls only its kick.
/// </summary>
internal sealed class EventWaker : IDisposable
{
    private readonly EventFd _signal;
    private readonly Action _callback;
    private readonly EventFd _stop = new();
    private readonly Thread _thread;
    private volatile bool _stopping;
    private bool _disposed;

    public EventWaker(EventFd signal, Action callback, string name)
    {
        _signal = signal;
        _callback = callback;
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stopping = true;
        _stop.Signal();
        _thread.Join();
        _stop.Dispose();
    }

    private void Loop()
    {
        Span<PollFd> fds = stackalloc PollFd[2];
        while (!_stopping)
        {
            fds[0] = new PollFd(_signal.Handle.Number, PollEvents.In);
            fds[1] = new PollFd(_stop.Handle.Number, PollEvents.In);
            Poller.Wait(fds, -1);
            if (!_stopping && _signal.TryConsume(out _))
            {
                _callback();
            }
        }
    }
}
