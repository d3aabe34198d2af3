using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>Operations on any file descriptor. EINTR is retried here so callers never see it.</summary>
public static unsafe class Fd
{
    /// <summary>x86-64 <c>struct stat</c>: 144 bytes, st_mode (u32) at 24, st_size (off_t) at 48.</summary>
    private const int StatSize = 144;
    private const int StatModeOffset = 24;
    private const int StatSizeOffset = 48;

    /// <summary>Wraps a raw number returned by a call, throwing if the call failed.</summary>
    internal static SafeFd Check(int fd, string call) =>
        fd < 0 ? throw PosixException.FromLastError(call) : new SafeFd(fd);

    /// <summary>Reads up to buffer.Length bytes. Returns 0 at end of file, -1 if it would block.</summary>
    public static int Read(SafeFd fd, Span<byte> buffer)
    {
        int result;
        do
        {
            // SAFETY: the buffer is pinned for the call and read writes at most buffer.Length bytes into it.
            fixed (byte* p = buffer)
            {
                result = Outcome(LibC.read(fd, p, (nuint)buffer.Length), "read");
            }
        }
        while (result == Interrupted);

        return result;
    }

    /// <summary>Writes up to buffer.Length bytes. Returns the count written, -1 if it would block.</summary>
    public static int Write(SafeFd fd, ReadOnlySpan<byte> buffer)
    {
        int result;
        do
        {
            // SAFETY: the buffer is pinned for the call and write only reads buffer.Length bytes from it.
            fixed (byte* p = buffer)
            {
                result = Outcome(LibC.write(fd, p, (nuint)buffer.Length), "write");
            }
        }
        while (result == Interrupted);

        return result;
    }

    /// <summary>Writes the whole buffer, waiting with poll when the descriptor is non-blocking.</summary>
    public static void WriteAll(SafeFd fd, ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = Write(fd, buffer);
            if (n < 0)
            {
                Poller.WaitOne(fd, PollEvents.Out, -1);
                continue;
            }

            buffer = buffer[n..];
        }
    }

    /// <summary>
    /// Writes all of <paramref name="data"/> to a non-blocking descriptor, polling for room when it is full.
    /// The wait ends early when <paramref name="cancelFd"/> (an eventfd a stopping thread signals, say) becomes
    /// readable, when <paramref name="timeoutMs"/> passes (-1: no limit, counted over the whole write), or
    /// when the reader went away. The cancel descriptor is only polled, never read, so one signal cancels
    /// every waiter. Bytes written before an early end stay written.
    /// </summary>
    public static WriteAllResult WriteAll(SafeFd fd, ReadOnlySpan<byte> data, SafeFd? cancelFd, int timeoutMs)
    {
        long deadline = timeoutMs < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + (timeoutMs * Stopwatch.Frequency / 1000);
        Span<short> revents = stackalloc short[2];
        while (!data.IsEmpty)
        {
            int n;
            try
            {
                n = Write(fd, data);
            }
            catch (PosixException e) when (e.Errno is Errno.EPIPE or Errno.EIO or Errno.ECONNRESET)
            {
                return WriteAllResult.PeerGone;
            }

            if (n > 0)
            {
                data = data[n..];
                continue;
            }

            int wait = RemainingMs(deadline);
            if (wait == 0)
            {
                return WriteAllResult.TimedOut;
            }

            if (Poller.Wait([fd, cancelFd], [PollEvents.Out, PollEvents.In], revents, wait) == 0)
            {
                continue;
            }

            if (revents[1] != 0)
            {
                return WriteAllResult.Cancelled;
            }

            if ((revents[0] & PollEvents.Out) == 0 && (revents[0] & (PollEvents.Hup | PollEvents.Err)) != 0)
            {
                return WriteAllResult.PeerGone;
            }
        }

        return WriteAllResult.Written;
    }

    public static void Truncate(SafeFd fd, long length)
    {
        if (LibC.ftruncate(fd, length) < 0)
        {
            throw PosixException.FromLastError("ftruncate");
        }
    }

    /// <summary>The size fstat reports (st_size), used to check that a peer's mmap offsets fit.</summary>
    public static long GetSize(SafeFd fd) => Stat(fd).Size;

    public static SafeFd Duplicate(SafeFd fd)
    {
        int n = LibC.fcntl_int(fd, Flags.F_DUPFD_CLOEXEC, 0);
        return Check(n, "fcntl(F_DUPFD_CLOEXEC)");
    }

    public static void SetNonBlocking(SafeFd fd, bool nonBlocking)
    {
        int flags = LibC.fcntl_int(fd, Flags.F_GETFL, 0);
        if (flags < 0)
        {
            throw PosixException.FromLastError("fcntl(F_GETFL)");
        }

        flags = nonBlocking ? flags | Flags.O_NONBLOCK : flags & ~Flags.O_NONBLOCK;
        if (LibC.fcntl_int(fd, Flags.F_SETFL, flags) < 0)
        {
            throw PosixException.FromLastError("fcntl(F_SETFL)");
        }
    }

    /// <summary>Close-on-exec off lets a child process started next inherit the descriptor.</summary>
    public static void SetCloseOnExec(SafeFd fd, bool closeOnExec)
    {
        if (LibC.fcntl_int(fd, Flags.F_SETFD, closeOnExec ? Flags.FD_CLOEXEC : 0) < 0)
        {
            throw PosixException.FromLastError("fcntl(F_SETFD)");
        }
    }

    /// <summary>Whether a raw number is an open descriptor (for numbers inherited from a parent, which nothing owns yet).</summary>
    public static bool IsValid(int fd) => LibC.fcntl_number(fd, Flags.F_GETFD, 0) >= 0;

    /// <summary>A pipe: (read end, write end), both close-on-exec.</summary>
    public static (SafeFd Read, SafeFd Write) Pipe(bool nonBlocking = false)
    {
        // SAFETY: pipe2 writes exactly two ints into the two-int stack buffer.
        int* fds = stackalloc int[2];
        int flags = Flags.O_CLOEXEC | (nonBlocking ? Flags.O_NONBLOCK : 0);
        if (LibC.pipe2(fds, flags) < 0)
        {
            throw PosixException.FromLastError("pipe2");
        }

        return (new SafeFd(fds[0]), new SafeFd(fds[1]));
    }

    /// <summary>st_mode and st_size of an open descriptor.</summary>
    internal static (uint Mode, long Size) Stat(SafeFd fd)
    {
        // SAFETY: the buffer is exactly the size of the x86-64 struct stat fstat fills, and both fields
        // read back lie inside it at their x86-64 offsets.
        byte* stat = stackalloc byte[StatSize];
        if (LibC.fstat(fd, stat) < 0)
        {
            throw PosixException.FromLastError("fstat");
        }

        return (*(uint*)(stat + StatModeOffset), *(long*)(stat + StatSizeOffset));
    }

    /// <summary>Milliseconds left until <paramref name="deadline"/> (a Stopwatch timestamp; long.MaxValue: -1, forever).</summary>
    internal static int RemainingMs(long deadline)
    {
        if (deadline == long.MaxValue)
        {
            return -1;
        }

        long remaining = deadline - Stopwatch.GetTimestamp();
        return remaining <= 0 ? 0 : (int)Math.Min(int.MaxValue, (remaining * 1000 / Stopwatch.Frequency) + 1);
    }

    private const int Interrupted = -2;

    /// <summary>A read/write result: the count, -1 for EAGAIN, <see cref="Interrupted"/> for EINTR; other errors throw.</summary>
    private static int Outcome(nint n, string call)
    {
        if (n >= 0)
        {
            return (int)n;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            Errno.EINTR => Interrupted,
            Errno.EAGAIN => -1,
            _ => throw new PosixException(call, errno),
        };
    }
}
