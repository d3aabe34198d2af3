using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>poll(2), for waits on a handful of descriptors.</summary>
public static unsafe class Poller
{
    /// <summary>Waits for events on all entries; returns how many have revents set (0 on timeout).</summary>
    public static int Wait(Span<PollFd> fds, int timeoutMs)
    {
        while (true)
        {
            int n;
            fixed (PollFd* p = fds)
            {
                n = LibC.poll(p, (ulong)fds.Length, timeoutMs);
            }

            if (n >= 0)
            {
                return n;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new PosixException("poll", errno);
            }
        }
    }

    /// <summary>Waits on one descriptor; returns its revents (0 on timeout).</summary>
    public static short WaitOne(SafeFd fd, short events, int timeoutMs)
    {
        Span<PollFd> one = [new PollFd(fd.Number, events)];
        return Wait(one, timeoutMs) == 0 ? (short)0 : one[0].Revents;
    }
}
