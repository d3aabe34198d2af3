using Emulator.Posix;

namespace Emulator.Vmm;

/// <summary>
/// An epoll thread over the call eventfds of one device's rings: when ring <c>n</c>'s eventfd becomes
/// readable it is drained and <c>fired(n)</c> runs (on this thread; it must only hand work over, e.g.
/// <c>PcPlatform.Post</c>). No socket message is on this path: the back-end writes the eventfd, we read it.
/// It can also watch the vhost-user socket for the server hanging up (<see cref="WatchHangup"/>).
/// </summary>
internal sealed class CallWatcher : IDisposable
{
    private const ulong StopKey = 0;

    // Above every ring key; the low 32 bits carry the connection number the hang-up belongs to.
    private const ulong HangupKey = 1UL << 32;

    // EPOLLONESHOT: a dead socket stays readable for ever; one report is enough, the owner removes it later.
    private const uint OneShot = 1u << 30;

    private readonly IReadOnlyList<EventFd> _calls;
    private readonly Action<int> _fired;
    private readonly Action<string> _log;
    private readonly Epoll _epoll = new();
    private readonly StopEvent _stop = new();
    private readonly Thread _thread;
    private Action<uint>? _hungUp;
    private bool _disposed;

    public CallWatcher(IReadOnlyList<EventFd> calls, Action<int> fired, string name, Action<string> log)
    {
        _calls = calls;
        _fired = fired;
        _log = log;
        _epoll.Add(_stop.Handle, EpollEvents.In, StopKey);
        for (int i = 0; i < calls.Count; i++)
        {
            _epoll.Add(calls[i].Handle, EpollEvents.In, (ulong)i + 1);
        }

        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>
    /// Reports (once, as <c>hungUp(connection)</c> on this thread) when the peer of <paramref name="socket"/>
    /// shuts down or dies. Replies arriving on it are not events: only RDHUP, HUP and ERR are asked for.
    /// Call <see cref="UnwatchHangup"/> before closing the socket.
    /// </summary>
    public void WatchHangup(SafeFd socket, uint connection, Action<uint> hungUp)
    {
        Volatile.Write(ref _hungUp, hungUp);
        _epoll.Add(socket, EpollEvents.RdHup | OneShot, HangupKey | connection);
    }

    public void UnwatchHangup(SafeFd socket)
    {
        try
        {
            _epoll.Remove(socket);
        }
        catch (PosixException e)
        {
            // Only a socket never added (its connection failed half-way) gets here; nothing to undo.
            _log($"hang-up watch removal: {e.Message}");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Set();
        _thread.Join();
        _epoll.Dispose();
        _stop.Dispose();
    }

    private void Loop()
    {
        Span<EpollEvent> events = stackalloc EpollEvent[16];
        try
        {
            while (!_stop.IsSet)
            {
                int n = _epoll.Wait(events, -1);
                for (int i = 0; i < n; i++)
                {
                    ulong key = events[i].Data;
                    if ((key & HangupKey) != 0)
                    {
                        Volatile.Read(ref _hungUp)?.Invoke((uint)key);
                    }
                    else if (key != StopKey && _calls[(int)(key - 1)].TryConsume(out _))
                    {
                        _fired((int)(key - 1));
                    }
                }
            }
        }
        catch (PosixException e)
        {
            _log($"interrupt watcher stopped: {e.Message}");
        }
    }
}
