using Emulator.Posix;

namespace Emulator.Vmm;

/// <summary>
/// An epoll thread that notices at once when a device server's socket hangs up (the server
/// died or closed it). It waits for EPOLLRDHUP/EPOLLHUP/EPOLLERR only, never for input, so it
/// does not compete with the front-end reading the same socket. Each watch fires at most once.
/// Neither the thread nor a callback lets an exception escape: each is logged.
/// </summary>
internal sealed class HangupWatcher : IDisposable
{
    private const ulong WakeKey = 0;

    private readonly Lock _lock = new();
    private readonly Dictionary<long, SafeFd> _sockets = [];
    private readonly Dictionary<long, Action> _callbacks = [];
    private readonly Epoll _epoll = new();
    private readonly StopEvent _stop = new();
    private readonly Thread _thread;
    private readonly DiagnosticLog _log;
    private long _nextId = 1;
    private bool _disposed;

    public HangupWatcher(DiagnosticLog log)
    {
        _log = log;
        _epoll.Add(_stop.Handle, EpollEvents.In, WakeKey);
        _thread = new Thread(() => _log.Guard("watching device servers for hang-ups", Loop)) { Name = "device-watch", IsBackground = true };
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

        _stop.Set();
        _thread.Join();
        lock (_lock)
        {
            foreach (long id in _sockets.Keys.ToArray())
            {
                Remove(id);
            }
        }

        _epoll.Dispose();
        _stop.Dispose();
    }

    private void Loop()
    {
        Span<EpollEvent> events = stackalloc EpollEvent[16];
        while (!_stop.IsSet)
        {
            int n = _epoll.Wait(events, -1);
            for (int i = 0; i < n; i++)
            {
                if (events[i].Data == WakeKey)
                {
                    // Only Dispose sets it, and it stays set: the loop ends below.
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
                    ThreadPool.QueueUserWorkItem(action => _log.Guard("reporting a device server hang-up", action), callback, preferLocal: false);
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
