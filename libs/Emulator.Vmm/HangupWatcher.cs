using Emulator.Posix;

namespace Emulator.Vmm;

/// <summary>
/// An epoll thread that notices at once when a device server's socket hangs up (the server
/// died or closed it). It waits for EPOLLRDHUP/EPOLLHUP/EPOLLERR only, never for input, so it
/// does not compete with the front-end reading the same socket. Each watch fires at most once.
/// </summary>
internal sealed class HangupWatcher : IDisposable
{
    private const ulong WakeKey = 0;

    private readonly Lock _lock = new();
    private readonly Dictionary<long, SafeFd> _sockets = [];
    private readonly Dictionary<long, Action> _callbacks = [];
    private readonly Epoll _epoll = new();
    private readonly EventFd _wake = new();
    private readonly Thread _thread;
    private long _nextId = 1;
    private volatile bool _disposed;

    public HangupWatcher()
    {
        _epoll.Add(_wake.Handle, EpollEvents.In, WakeKey);
        _thread = new Thread(Loop) { Name = "device-watch", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Calls <paramref name="onHangup"/> (on the thread pool) when <paramref name="socket"/> hangs up.</summary>
    public long Watch(SafeFd socket, Action onHangup)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long id = _nextId++;

            // Holds the descriptor open while epoll knows its number, so the number cannot be
            // closed and reused behind our back before Unwatch removes it.
            bool added = false;
            socket.DangerousAddRef(ref added);
            try
            {
                _epoll.Add(socket, EpollEvents.RdHup, (ulong)id);
            }
            catch
            {
                socket.DangerousRelease();
                throw;
            }

            _sockets.Add(id, socket);
            _callbacks.Add(id, onHangup);
            return id;
        }
    }

    /// <summary>Stops watching; a hang-up already being reported may still be delivered.</summary>
    public void Unwatch(long id)
    {
        lock (_lock)
        {
            Remove(id);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _wake.Signal();
        _thread.Join();
        lock (_lock)
        {
            foreach (long id in _sockets.Keys.ToArray())
            {
                Remove(id);
            }
        }

        _epoll.Dispose();
        _wake.Dispose();
    }

    private void Loop()
    {
        Span<EpollEvent> events = stackalloc EpollEvent[16];
        while (!_disposed)
        {
            int n = _epoll.Wait(events, -1);
            for (int i = 0; i < n; i++)
            {
                if (events[i].Data == WakeKey)
                {
                    _wake.TryConsume(out _);
                    continue;
                }

                Action? callback;
                lock (_lock)
                {
                    long id = (long)events[i].Data;
                    callback = _callbacks.GetValueOrDefault(id);
                    Remove(id);
                }

                if (callback is not null)
                {
                    ThreadPool.QueueUserWorkItem(static action => action(), callback, preferLocal: false);
                }
            }
        }
    }

    private void Remove(long id)
    {
        if (_sockets.Remove(id, out SafeFd? socket))
        {
            _callbacks.Remove(id);
            _epoll.Remove(socket);
            socket.DangerousRelease();
        }
    }
}
