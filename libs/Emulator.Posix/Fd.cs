namespace Emulator.Posix;

/// <summary>Operations on any file descriptor. EINTR is retried here so callers never see it.</summary>
public static unsafe class Fd
{
    /// <summary>Wraps a raw number returned by a call, throwing if the call failed.</summary>
    internal static SafeFd Check(int fd, string call) =>
        fd < 0 ? throw PosixException.FromLastError(call) : new SafeFd(fd);


    /// <summary>Reads up to buffer.Length bytes. Returns 0 at end of file, -1 if it would block.</summary>
    public static int Read(SafeFd fd, Span<byte> buffer)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = LibC.read(fd.Number, p, (nuint)buffer.Length);
            }

            if (n >= 0)
            {
                return (int)n;
            }

            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR)
            {
                continue;
            }

            if (errno == Errno.EAGAIN)
            {
                return -1;
            }

            throw new PosixException("read", errno);
        }
    }

    /// <summary>Writes up to buffer.Length bytes. Returns the count written, -1 if it would block.</summary>
    public static int Write(SafeFd fd, ReadOnlySpan<byte> buffer)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = LibC.write(fd.Number, p, (nuint)buffer.Length);
            }

            if (n >= 0)
            {
                return (int)n;
            }

            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR)
            {
                continue;
            }

            if (errno == Errno.EAGAIN)
            {
                return -1;
            }

            throw new PosixException("write", errno);
        }
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

    public static void Truncate(SafeFd fd, long length)
    {
        if (LibC.ftruncate(fd.Number, length) < 0)
        {
            throw PosixException.FromLastError("ftruncate");
        }
    }

    /// <summary>The size fstat reports (st_size), used to check that a peer's mmap offsets fit.</summary>
    public static long GetSize(SafeFd fd)
    {
        byte* stat = stackalloc byte[144];
        if (LibC.fstat(fd.Number, stat) < 0)
        {
            throw PosixException.FromLastError("fstat");
        }

        // SAFETY: x86-64 struct stat is 144 bytes with st_size (off_t) at offset 48.
        return *(long*)(stat + 48);
    }

    public static SafeFd Duplicate(SafeFd fd)
    {
        int n = LibC.fcntl_int(fd.Number, 1030 /* F_DUPFD_CLOEXEC */, 0);
        return Check(n, "fcntl(F_DUPFD_CLOEXEC)");
    }

    public static void SetNonBlocking(SafeFd fd, bool nonBlocking)
    {
        int flags = LibC.fcntl_int(fd.Number, Flags.F_GETFL, 0);
        if (flags < 0)
        {
            throw PosixException.FromLastError("fcntl(F_GETFL)");
        }

        flags = nonBlocking ? flags | Flags.O_NONBLOCK : flags & ~Flags.O_NONBLOCK;
        if (LibC.fcntl_int(fd.Number, Flags.F_SETFL, flags) < 0)
        {
            throw PosixException.FromLastError("fcntl(F_SETFL)");
        }
    }

    /// <summary>Close-on-exec off lets a child process started next inherit the descriptor.</summary>
    public static void SetCloseOnExec(SafeFd fd, bool closeOnExec)
    {
        if (LibC.fcntl_int(fd.Number, Flags.F_SETFD, closeOnExec ? Flags.FD_CLOEXEC : 0) < 0)
        {
            throw PosixException.FromLastError("fcntl(F_SETFD)");
        }
    }

    public static bool IsValid(int fd) => LibC.fcntl_int(fd, Flags.F_GETFD, 0) >= 0;

    /// <summary>A pipe: (read end, write end), both close-on-exec.</summary>
    public static (SafeFd Read, SafeFd Write) Pipe(bool nonBlocking = false)
    {
        int* fds = stackalloc int[2];
        int flags = Flags.O_CLOEXEC | (nonBlocking ? Flags.O_NONBLOCK : 0);
        if (LibC.pipe2(fds, flags) < 0)
        {
            throw PosixException.FromLastError("pipe2");
        }

        return (new SafeFd(fds[0]), new SafeFd(fds[1]));
    }
}
