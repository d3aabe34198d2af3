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

    public void Add(SafeFd fd, uint events, ulong data) => Control(Flags.EPOLL_CTL_ADD, fd.Number, events, data, "epoll_ctl(ADD)");

    public void Modify(SafeFd fd, uint events, ulong data) => Control(Flags.EPOLL_CTL_MOD, fd.Number, events, data, "epoll_ctl(MOD)");

    public void Remove(SafeFd fd) => Control(Flags.EPOLL_CTL_DEL, fd.Number, 0, 0, "epoll_ctl(DEL)");

    /// <summary>Waits for events; returns how many entries of <paramref name="events"/> were filled.</summary>
    public int Wait(Span<EpollEvent> events, int timeoutMs)
    {
        while (true)
        {
            int n;
            fixed (EpollEvent* p = events)
            {
                n = LibC.epoll_wait(_fd.Number, p, events.Length, timeoutMs);
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

    private void Control(int op, int fd, uint events, ulong data, string call)
    {
        EpollEvent ev = new() { Events = events, Data = data };
        if (LibC.epoll_ctl(_fd.Number, op, fd, &ev) < 0)
        {
            throw PosixException.FromLastError(call);
        }
    }
}
