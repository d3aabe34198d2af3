using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>
/// A Linux eventfd: the doorbell of every ring (vhost-user kick and call). Non-blocking, so a
/// reader drains it without ever stalling; waiting is done with poll or epoll on <see cref="Handle"/>.
/// </summary>
public sealed unsafe class EventFd : IDisposable
{
    private const int CounterSize = sizeof(ulong);

    public EventFd(bool semaphore = false)
    {
        int flags = Flags.EFD_CLOEXEC | Flags.EFD_NONBLOCK | (semaphore ? Flags.EFD_SEMAPHORE : 0);
        Handle = Fd.Check(LibC.eventfd(0, flags), "eventfd");
    }

    /// <summary>
    /// Adopts an eventfd received from a peer (it is made non-blocking). Throws <see cref="ArgumentException"/>
    /// when <paramref name="handle"/> is not an eventfd: a file or socket in its place would turn every
    /// signal into a write into it. Takes ownership of the handle only on success.
    /// </summary>
    public EventFd(SafeFd handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        DescriptorKind kind = FdInfo.GetKind(handle);
        if (kind != DescriptorKind.EventFd)
        {
            throw new ArgumentException($"descriptor {handle.Number} is a {kind}, not an eventfd", nameof(handle));
        }

        Fd.SetNonBlocking(handle, true);
        Handle = handle;
    }

    public SafeFd Handle { get; }

    /// <summary>Adds <paramref name="value"/> to the counter, waking any waiter.</summary>
    public void Signal(ulong value = 1)
    {
        ulong v = value;
        while (true)
        {
            // SAFETY: &v is a stack local of exactly the 8 bytes write reads, alive for the call.
            nint n = LibC.write(Handle, (byte*)&v, CounterSize);
            if (n == CounterSize)
            {
                return;
            }

            if (n >= 0)
            {
                throw new IOException($"write(eventfd) took {n} bytes instead of {CounterSize}: the descriptor is not an eventfd");
            }

            int errno = Marshal.GetLastPInvokeError();
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
            // SAFETY: &v is a stack local of exactly the 8 bytes read may write, alive for the call.
            nint n = LibC.read(Handle, (byte*)&v, CounterSize);
            if (n == CounterSize)
            {
                value = v;
                return true;
            }

            // An eventfd read is all 8 bytes or an error; anything else means it is not an eventfd.
            if (n >= 0)
            {
                throw new IOException($"read(eventfd) returned {n} bytes instead of {CounterSize}: the descriptor is not an eventfd");
            }

            int errno = Marshal.GetLastPInvokeError();
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
