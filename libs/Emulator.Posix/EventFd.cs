namespace Emulator.Posix;

/// <summary>
/// A Linux eventfd: the doorbell of every ring (vhost-user kick and call). Non-blocking, so a
/// reader drains it without ever stalling; waiting is done with poll or epoll on <see cref="Handle"/>.
/// </summary>
public sealed unsafe class EventFd : IDisposable
{
    public EventFd(bool semaphore = false)
    {
        int flags = Flags.EFD_CLOEXEC | Flags.EFD_NONBLOCK | (semaphore ? Flags.EFD_SEMAPHORE : 0);
        Handle = Fd.Check(LibC.eventfd(0, flags), "eventfd");
    }

    /// <summary>Adopts an eventfd received from a peer (it is made non-blocking).</summary>
    public EventFd(SafeFd handle)
    {
        Handle = handle;
        Fd.SetNonBlocking(handle, true);
    }

    public SafeFd Handle { get; }

    /// <summary>Adds <paramref name="value"/> to the counter, waking any waiter.</summary>
    public void Signal(ulong value = 1)
    {
        ulong v = value;
        while (true)
        {
            nint n = LibC.write(Handle.Number, (byte*)&v, 8);
            if (n == 8)
            {
                return;
            }

            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR)
            {
                continue;
            }

            // EAGAIN means the counter is about to overflow: the waiter has plenty to wake for.
            if (errno == Errno.EAGAIN)
            {
                return;
            }

            throw new PosixException("write(eventfd)", errno);
        }
    }

    /// <summary>Reads and resets the counter. False when it was zero.</summary>
    public bool TryConsume(out ulong value)
    {
        ulong v = 0;
        while (true)
        {
            nint n = LibC.read(Handle.Number, (byte*)&v, 8);
            if (n == 8)
            {
                value = v;
                return true;
            }

            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR)
            {
                continue;
            }

            value = 0;
            if (errno == Errno.EAGAIN)
            {
                return false;
            }

            throw new PosixException("read(eventfd)", errno);
        }
    }

    /// <summary>Blocks up to <paramref name="timeoutMs"/> (-1 forever) for a signal, then consumes it.</summary>
    public bool Wait(int timeoutMs)
    {
        if (TryConsume(out _))
        {
            return true;
        }

        return Poller.WaitOne(Handle, PollEvents.In, timeoutMs) != 0 && TryConsume(out _);
    }

    public void Dispose() => Handle.Dispose();
}
