using System.Runtime.InteropServices;
using System.Text;

namespace Emulator.Posix;

/// <summary>
/// AF_UNIX stream sockets with file-descriptor passing (SCM_RIGHTS), which .NET's Socket class
/// cannot do: the vhost-user transport and the device manager's socketpairs live on this.
/// </summary>
public static unsafe class UnixSocket
{
    /// <summary>Most descriptors one message may carry (vhost-user sends at most 8).</summary>
    public const int MaxFdsPerMessage = 16;

    /// <summary>How long <see cref="Connect(string)"/> waits for a listener with a full backlog to accept.</summary>
    public const int DefaultConnectTimeoutMs = 5000;

    /// <summary>How long the stale-socket probe waits: a server too busy to take a connection this fast is alive.</summary>
    public const int StaleProbeTimeoutMs = 1000;

    /// <summary>AF_UNIX, as <see cref="GetSocketType"/> reports it.</summary>
    public const int DomainUnix = Flags.AF_UNIX;

    /// <summary>SOCK_STREAM, as <see cref="GetSocketType"/> reports it.</summary>
    public const int TypeStream = Flags.SOCK_STREAM;

    /// <summary>SOCK_SEQPACKET, as <see cref="GetSocketType"/> reports it.</summary>
    public const int TypeSeqPacket = Flags.SOCK_SEQPACKET;

    private const int SockaddrUnSize = 110;
    private const int PathMax = 107;

    /// <summary>A connected pair, both ends close-on-exec.</summary>
    public static (SafeFd A, SafeFd B) CreatePair()
    {
        // SAFETY: socketpair writes exactly two ints into the two-int stack buffer.
        int* sv = stackalloc int[2];
        if (LibC.socketpair(Flags.AF_UNIX, Flags.SOCK_STREAM | Flags.SOCK_CLOEXEC, 0, sv) < 0)
        {
            throw PosixException.FromLastError("socketpair");
        }

        return (new SafeFd(sv[0]), new SafeFd(sv[1]));
    }

    /// <summary>Binds and listens on <paramref name="path"/>, replacing a stale socket file there (<see cref="RemoveStaleSocket"/>).</summary>
    public static SafeFd Listen(string path, int backlog = 1)
    {
        // SAFETY: a sockaddr_un-sized stack buffer, filled (bounds-checked) by FillAddress; bind only reads len bytes.
        byte* addr = stackalloc byte[SockaddrUnSize];
        uint len = FillAddress(addr, path);
        SafeFd fd = Fd.Check(LibC.socket(Flags.AF_UNIX, Flags.SOCK_STREAM | Flags.SOCK_CLOEXEC, 0), "socket");
        try
        {
            if (LibC.bind(fd, addr, len) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EADDRINUSE || !RemoveStaleSocket(path) || LibC.bind(fd, addr, len) < 0)
                {
                    throw new PosixException($"bind({path})", errno == Errno.EADDRINUSE ? errno : Marshal.GetLastPInvokeError());
                }
            }

            if (LibC.listen(fd, backlog) < 0)
            {
                throw PosixException.FromLastError("listen");
            }

            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Accepts one connection (blocking unless the listener is non-blocking; null on EAGAIN).</summary>
    public static SafeFd? Accept(SafeFd listener)
    {
        while (true)
        {
            int fd = LibC.accept4(listener, null, null, Flags.SOCK_CLOEXEC);
            if (fd >= 0)
            {
                return new SafeFd(fd);
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR)
            {
                continue;
            }

            if (errno == Errno.EAGAIN)
            {
                return null;
            }

            throw new PosixException("accept4", errno);
        }
    }

    /// <summary>Connects, waiting at most <see cref="DefaultConnectTimeoutMs"/> for a busy listener.</summary>
    public static SafeFd Connect(string path) => Connect(path, DefaultConnectTimeoutMs);

    /// <summary>
    /// Connects to the socket at <paramref name="path"/>. A listener whose backlog is full (alive but not
    /// accepting) makes connect wait; after <paramref name="timeoutMs"/> (-1: forever) it fails with a
    /// <see cref="PosixException"/> carrying ETIMEDOUT. Nobody listening fails at once (ECONNREFUSED).
    /// AF_UNIX differs from TCP here: a non-blocking connect to a full backlog fails with EAGAIN instead
    /// of going in progress, and poll on the unconnected socket reports POLLOUT|POLLHUP at once, so the
    /// wait uses the kernel's own bound on a blocking connect (SO_SNDTIMEO), restored afterwards.
    /// </summary>
    public static SafeFd Connect(string path, int timeoutMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMs, -1);

        // SAFETY: a sockaddr_un-sized stack buffer, filled (bounds-checked) by FillAddress; connect only reads len bytes.
        byte* addr = stackalloc byte[SockaddrUnSize];
        uint len = FillAddress(addr, path);
        SafeFd fd = Fd.Check(LibC.socket(Flags.AF_UNIX, Flags.SOCK_STREAM | Flags.SOCK_CLOEXEC, 0), "socket");
        try
        {
            long deadline = timeoutMs < 0 ? long.MaxValue : System.Diagnostics.Stopwatch.GetTimestamp() + (timeoutMs * System.Diagnostics.Stopwatch.Frequency / 1000);
            while (true)
            {
                // SO_SNDTIMEO of 0 means "forever", so a bounded wait is at least 1 ms.
                int wait = Fd.RemainingMs(deadline);
                SetSendTimeout(fd, wait < 0 ? 0 : Math.Max(wait, 1));
                if (LibC.connect(fd, addr, len) == 0)
                {
                    break;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                if (errno is Errno.EAGAIN or Errno.EINPROGRESS)
                {
                    if (timeoutMs < 0)
                    {
                        continue;
                    }

                    throw new PosixException($"connect({path}) after {timeoutMs} ms", Errno.ETIMEDOUT);
                }

                throw new PosixException($"connect({path})", errno);
            }

            SetSendTimeout(fd, 0);
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes the socket file at <paramref name="path"/> if nobody listens on it (left by a dead server).
    /// True when the path is free now (removed, or already gone); false when a server answers or is too busy
    /// to answer within <see cref="StaleProbeTimeoutMs"/>, or when the path is not a socket (never removed).
    /// </summary>
    public static bool RemoveStaleSocket(string path)
    {
        try
        {
            using SafeFd probe = Connect(path, StaleProbeTimeoutMs);
            return false;
        }
        catch (PosixException e) when (e.Errno == Errno.ENOENT)
        {
            return true;
        }
        catch (PosixException e) when (e.Errno == Errno.ECONNREFUSED)
        {
            // connect also refuses a path that is not a socket at all: that file is someone else's.
            if (!IsSocketFile(path))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (PosixException e) when (e.Errno == Errno.ETIMEDOUT)
        {
            return false;
        }
    }

    /// <summary>The socket's (domain, type), e.g. (<see cref="DomainUnix"/>, <see cref="TypeStream"/>). Throws <see cref="PosixException"/> (ENOTSOCK for a non-socket).</summary>
    public static (int Domain, int Type) GetSocketType(SafeFd fd) =>
        (GetIntOption(fd, Flags.SO_DOMAIN, "SO_DOMAIN"), GetIntOption(fd, Flags.SO_TYPE, "SO_TYPE"));

    /// <summary>True for an AF_UNIX SOCK_STREAM socket; false for any other socket or a non-socket.</summary>
    public static bool IsStreamSocket(SafeFd fd)
    {
        try
        {
            return GetSocketType(fd) == (DomainUnix, TypeStream);
        }
        catch (PosixException e) when (e.Errno == Errno.ENOTSOCK)
        {
            return false;
        }
    }

    /// <summary>Sends bytes with descriptors attached to the first byte. Returns bytes sent.</summary>
    public static int Send(SafeFd socket, ReadOnlySpan<byte> data, ReadOnlySpan<int> fds)
    {
        if (fds.Length > MaxFdsPerMessage)
        {
            throw new ArgumentException($"at most {MaxFdsPerMessage} descriptors per message", nameof(fds));
        }

        int controlLen = fds.IsEmpty ? 0 : ControlSpace(fds.Length);

        // SAFETY: the control buffer has room for a header and MaxFdsPerMessage ints (checked above), so the
        // header and fds.Length ints written here stay inside it; sendmsg reads controlLen <= its size.
        byte* control = stackalloc byte[ControlSpace(MaxFdsPerMessage)];
        if (!fds.IsEmpty)
        {
            CmsgHdr* h = (CmsgHdr*)control;
            h->Len = (nuint)(sizeof(CmsgHdr) + (fds.Length * sizeof(int)));
            h->Level = Flags.SOL_SOCKET;
            h->Type = Flags.SCM_RIGHTS;
            fds.CopyTo(new Span<int>(control + sizeof(CmsgHdr), fds.Length));
        }

        while (true)
        {
            nint n;

            // SAFETY: data is pinned and described by one iovec of its exact length; iov and msg are stack
            // locals alive for the call; sendmsg only reads them.
            fixed (byte* p = data)
            {
                IoVec iov = new() { Base = p, Len = (nuint)data.Length };
                MsgHdr msg = new()
                {
                    Iov = &iov,
                    IovLen = 1,
                    Control = fds.IsEmpty ? null : control,
                    ControlLen = (nuint)controlLen,
                };
                n = LibC.sendmsg(socket, &msg, Flags.MSG_NOSIGNAL);
            }

            if (n >= 0)
            {
                return (int)n;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new PosixException("sendmsg", errno);
            }
        }
    }

    /// <summary>Sends all of <paramref name="data"/>; descriptors go with the first chunk.</summary>
    public static void SendAll(SafeFd socket, ReadOnlySpan<byte> data, ReadOnlySpan<int> fds = default)
    {
        int sent = Send(socket, data, fds);
        while (sent < data.Length)
        {
            sent += Send(socket, data[sent..], default);
        }
    }

    /// <summary>
    /// Receives up to buffer.Length bytes and any descriptors sent with them (close-on-exec).
    /// Returns the byte count, 0 at hang-up. Descriptors beyond <see cref="MaxFdsPerMessage"/>
    /// are discarded by the kernel and reported through <paramref name="truncated"/>.
    /// </summary>
    public static int Receive(SafeFd socket, Span<byte> buffer, List<SafeFd> fds, out bool truncated)
    {
        int controlSize = ControlSpace(MaxFdsPerMessage);

        // SAFETY: recvmsg writes at most controlSize bytes of control data (msg.ControlLen) into this buffer.
        byte* control = stackalloc byte[controlSize];
        while (true)
        {
            nint n;
            MsgHdr msg;

            // SAFETY: the buffer is pinned and described by one iovec of its exact length, so recvmsg writes
            // inside it; iov and msg are stack locals alive for the call.
            fixed (byte* p = buffer)
            {
                IoVec iov = new() { Base = p, Len = (nuint)buffer.Length };
                msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = (nuint)controlSize };
                n = LibC.recvmsg(socket, &msg, Flags.MSG_CMSG_CLOEXEC);
            }

            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                throw new PosixException("recvmsg", errno);
            }

            truncated = (msg.Flags & Flags.MSG_CTRUNC) != 0;
            CollectFds(control, (int)Math.Min(msg.ControlLen, (nuint)controlSize), fds);
            return (int)n;
        }
    }

    /// <summary>Receives exactly buffer.Length bytes; false if the peer hung up first.</summary>
    public static bool ReceiveExactly(SafeFd socket, Span<byte> buffer, List<SafeFd> fds, out bool truncated)
    {
        truncated = false;
        int got = 0;
        while (got < buffer.Length)
        {
            int n = Receive(socket, buffer[got..], fds, out bool t);
            truncated |= t;
            if (n == 0)
            {
                return false;
            }

            got += n;
        }

        return true;
    }

    public static void Shutdown(SafeFd socket)
    {
        // ENOTCONN after the peer left is expected; anything else is a real error.
        if (LibC.shutdown(socket, 2) < 0 && Marshal.GetLastPInvokeError() != Errno.ENOTCONN)
        {
            throw PosixException.FromLastError("shutdown");
        }
    }

    private static int ControlSpace(int fdCount) => sizeof(CmsgHdr) + (((fdCount * sizeof(int)) + 7) & ~7);

    /// <summary>Walks the control messages in [control, control+length); only SCM_RIGHTS payloads are taken.</summary>
    private static void CollectFds(byte* control, int length, List<SafeFd> fds)
    {
        int offset = 0;
        while (offset + sizeof(CmsgHdr) <= length)
        {
            // SAFETY: a whole header lies inside the buffer (loop condition); its claimed length is checked
            // against the remaining bytes before any payload int is read.
            CmsgHdr* h = (CmsgHdr*)(control + offset);
            if (h->Len < (nuint)sizeof(CmsgHdr) || h->Len > (nuint)(length - offset))
            {
                break;
            }

            int len = (int)h->Len;
            if (h->Level == Flags.SOL_SOCKET && h->Type == Flags.SCM_RIGHTS)
            {
                int count = (len - sizeof(CmsgHdr)) / sizeof(int);
                int* data = (int*)(control + offset + sizeof(CmsgHdr));
                for (int i = 0; i < count; i++)
                {
                    fds.Add(new SafeFd(data[i]));
                }
            }

            offset += (len + 7) & ~7;
        }
    }

    private static uint FillAddress(byte* addr, string path)
    {
        int byteCount = Encoding.UTF8.GetByteCount(path);
        if (byteCount == 0 || byteCount > PathMax)
        {
            throw new ArgumentException($"socket path must be 1..{PathMax} bytes: '{path}'", nameof(path));
        }

        // SAFETY: addr points at SockaddrUnSize bytes (every caller's stackalloc); the family takes the first 2,
        // the path at most PathMax (checked above) after it, leaving the NUL terminator inside the buffer.
        new Span<byte>(addr, SockaddrUnSize).Clear();
        *(ushort*)addr = Flags.AF_UNIX;
        Encoding.UTF8.GetBytes(path, new Span<byte>(addr + 2, PathMax));
        return (uint)(2 + byteCount + 1);
    }

    private static void SetSendTimeout(SafeFd fd, int timeoutMs)
    {
        TimeVal tv = TimeVal.FromMilliseconds(timeoutMs);

        // SAFETY: &tv is a stack local of exactly the struct timeval size passed, alive for the call.
        if (LibC.setsockopt(fd, Flags.SOL_SOCKET, Flags.SO_SNDTIMEO, (byte*)&tv, (uint)sizeof(TimeVal)) < 0)
        {
            throw PosixException.FromLastError("setsockopt(SO_SNDTIMEO)");
        }
    }

    private static int GetIntOption(SafeFd fd, int option, string name)
    {
        int value = 0;
        uint length = sizeof(int);

        // SAFETY: value and length are stack locals alive for the call; getsockopt writes at most length (4) bytes.
        if (LibC.getsockopt(fd, Flags.SOL_SOCKET, option, (byte*)&value, &length) < 0)
        {
            throw PosixException.FromLastError($"getsockopt({name})");
        }

        return value;
    }

    /// <summary>lstat-like check through an O_PATH descriptor: is the path itself (not a link target) a socket?</summary>
    private static bool IsSocketFile(string path)
    {
        try
        {
            using SafeFd probe = PosixFile.Open(path, OpenFlags.PathOnly | OpenFlags.NoFollow | OpenFlags.CloseOnExec);
            return PosixFile.GetKind(probe) == FileKind.Socket;
        }
        catch (PosixException)
        {
            return false;
        }
    }
}
