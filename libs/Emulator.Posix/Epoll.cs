using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>An epoll instance: the event loop of device servers (which fd woke us).</summary>
public sealed unsafe class Epoll : IDisposable
{
    private readonly SafeFd _fd;

    public Epoll()
    {
        _fd = Fd.Check(LibC.epoll_create1(Flags.EPOLL_CLOEXEC), "epoll_create1");
    }

    public SafeFd Handle => _fd;

    public void Add(SafeFd fd, uint events, ulong data) => Control(Flags.EPOLL_CTL_ADD, fd, events, data, "epoll_ctl(ADD)");

    public void Modify(SafeFd fd, uint events, ulong data) => Control(Flags.EPOLL_CTL_MOD, fd, events, data, "epoll_ctl(MOD)");

    public void Remove(SafeFd fd) => Control(Flags.EPOLL_CTL_DEL, fd, 0, 0, "epoll_ctl(DEL)");

    /// <summary>Waits for events; returns how many entries of <paramref name="events"/> were filled.</summary>
    public int Wait(Span<EpollEvent> events, int timeoutMs)
    {
        while (true)
        {
            int n;

            // SAFETY: the span is pinned for the call and epoll_wait fills at most events.Length entries.
            fixed (EpollEvent* p = events)
            {
                n = LibC.epoll_wait(_fd, p, events.Length, timeoutMs);
            }

            if (n >= 0)
            {
                return n;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new PosixException("epoll_wait", errno);
            }
        }
    }

    public void Dispose() => _fd.Dispose();

    private void Control(int op, SafeFd fd, uint events, ulong data, string call)
    {
        EpollEvent ev = new() { Events = events, Data = data };

        // SAFETY: &ev points at a stack local that outlives the call; epoll_ctl only reads it.
        if (LibC.epoll_ctl(_fd, op, fd, &ev) < 0)
        {
            throw PosixException.FromLastError(call);
        }
    }
}
