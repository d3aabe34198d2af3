using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>poll(2), for waits on a handful of descriptors.</summary>
public static unsafe class Poller
{
    /// <summary>Most descriptors <see cref="Wait(ReadOnlySpan{SafeFd?}, ReadOnlySpan{short}, Span{short}, int)"/> takes at once.</summary>
    public const int MaxHandles = 16;

    /// <summary>
    /// Waits for events on all entries; returns how many have revents set (0 on timeout). The entries
    /// carry raw numbers: the caller must keep every descriptor open until this returns. Prefer the
    /// <see cref="SafeFd"/> overloads, which hold a reference on each handle for the call.
    /// </summary>
    public static int Wait(Span<PollFd> fds, int timeoutMs)
    {
        while (true)
        {
            int n;

            // SAFETY: the span is pinned for the call and poll writes only the revents of its fds.Length entries.
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

    /// <summary>
    /// Waits on owned descriptors: <paramref name="revents"/>[i] receives the events of
    /// <paramref name="handles"/>[i] (a null entry is skipped and reports 0). Each handle is referenced for
    /// the duration of the call, so a concurrent Dispose cannot close it and let its number be reused
    /// mid-poll. Returns how many entries have events (0 on timeout). Throws ObjectDisposedException for
    /// a handle that is already closed.
    /// </summary>
    public static int Wait(ReadOnlySpan<SafeFd?> handles, ReadOnlySpan<short> events, Span<short> revents, int timeoutMs)
    {
        if (handles.Length > MaxHandles || events.Length != handles.Length || revents.Length < handles.Length)
        {
            throw new ArgumentException($"1..{MaxHandles} handles, one events entry and one revents slot each");
        }

        Span<PollFd> fds = stackalloc PollFd[handles.Length];
        Span<bool> referenced = stackalloc bool[handles.Length];
        try
        {
            for (int i = 0; i < handles.Length; i++)
            {
                SafeFd? h = handles[i];
                if (h is not null)
                {
                    h.DangerousAddRef(ref referenced[i]);
                }

                // A negative fd makes poll skip the entry (revents 0).
                fds[i] = new PollFd(h is null ? -1 : (int)h.DangerousGetHandle(), events[i]);
            }

            int n = Wait(fds, timeoutMs);
            for (int i = 0; i < handles.Length; i++)
            {
                revents[i] = fds[i].Revents;
            }

            return n;
        }
        finally
        {
            for (int i = 0; i < handles.Length; i++)
            {
                if (referenced[i])
                {
                    handles[i]?.DangerousRelease();
                }
            }
        }
    }

    /// <summary>Waits on one descriptor; returns its revents (0 on timeout). The handle is referenced for the call.</summary>
    public static short WaitOne(SafeFd fd, short events, int timeoutMs)
    {
        Span<short> revents = stackalloc short[1];
        return Wait([fd], [events], revents, timeoutMs) == 0 ? (short)0 : revents[0];
    }
}
