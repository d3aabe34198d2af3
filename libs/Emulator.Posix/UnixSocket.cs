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

    private const int SockaddrUnSize = 110;
    private const int PathMax = 107;

    /// <summary>A connected pair, both ends close-on-exec.</summary>
    public static (SafeFd A, SafeFd B) CreatePair()
    {
        int* sv = stackalloc int[2];
        if (LibC.socketpair(Flags.AF_UNIX, Flags.SOCK_STREAM | Flags.SOCK_CLOEXEC, 0, sv) < 0)
        {
            throw PosixException.FromLastError("socketpair");
        }

        return (new SafeFd(sv[0]), new SafeFd(sv[1]));
    }

    /// <summary>Binds and listens on <paramref name="path"/>, replacing a stale socket file there.</summary>
    public static SafeFd Listen(string path, int backlog = 1)
    {
        SafeFd fd = Fd.Check(LibC.socket(Flags.AF_UNIX, Flags.SOCK_STREAM | Flags.SOCK_CLOEXEC, 0), "socket");
        try
        {
            byte* addr = stackalloc byte[SockaddrUnSize];
            uint len = FillAddress(addr, path);
            if (LibC.bind(fd.Number, addr, len) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EADDRINUSE || !RemoveStaleSocket(path) || LibC.bind(fd.Number, addr, len) < 0)
                {
                    throw new PosixException($"bind({path})", errno == Errno.EADDRINUSE ? errno : Marshal.GetLastPInvokeError());
                }
            }

            if (LibC.listen(fd.Number, backlog) < 0)
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
            int fd = LibC.accept4(listener.Number, null, null, Flags.SOCK_CLOEXEC);
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

    public static SafeFd Connect(string path)
    {
        SafeFd fd = Fd.Check(LibC.socket(Flags.AF_UNIX, Flags.SOCK_STREAM | Flags.SOCK_CLOEXEC, 0), "socket");
        byte* addr = stackalloc byte[SockaddrUnSize];
        uint len = FillAddress(addr, path);
        while (LibC.connect(fd.Number, addr, len) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                fd.Dispose();
                throw new PosixException($"connect({path})", errno);
            }
        }

        return fd;
    }

    /// <summary>Sends bytes with descriptors attached to the first byte. Returns bytes sent.</summary>
    public static int Send(SafeFd socket, ReadOnlySpan<byte> data, ReadOnlySpan<int> fds)
    {
        if (fds.Length > MaxFdsPerMessage)
        {
            throw new ArgumentException($"at most {MaxFdsPerMessage} descriptors per message", nameof(fds));
        }

        int controlLen = fds.IsEmpty ? 0 : ControlSpace(fds.Length);
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
                n = LibC.sendmsg(socket.Number, &msg, Flags.MSG_NOSIGNAL);
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
        byte* control = stackalloc byte[controlSize];
        while (true)
        {
            nint n;
            MsgHdr msg;
            fixed (byte* p = buffer)
            {
                IoVec iov = new() { Base = p, Len = (nuint)buffer.Length };
                msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = (nuint)controlSize };
                n = LibC.recvmsg(socket.Number, &msg, Flags.MSG_CMSG_CLOEXEC);
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
            CollectFds(control, (int)msg.ControlLen, fds);
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
        if (LibC.shutdown(socket.Number, 2) < 0 && Marshal.GetLastPInvokeError() != Errno.ENOTCONN)
        {
            throw PosixException.FromLastError("shutdown");
        }
    }

    private static int ControlSpace(int fdCount) => sizeof(CmsgHdr) + (((fdCount * sizeof(int)) + 7) & ~7);

    private static void CollectFds(byte* control, int length, List<SafeFd> fds)
    {
        int offset = 0;
        while (offset + sizeof(CmsgHdr) <= length)
        {
            CmsgHdr* h = (CmsgHdr*)(control + offset);
            int len = (int)h->Len;
            if (len < sizeof(CmsgHdr) || offset + len > length)
            {
                break;
            }

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

        new Span<byte>(addr, SockaddrUnSize).Clear();
        *(ushort*)addr = Flags.AF_UNIX;
        Encoding.UTF8.GetBytes(path, new Span<byte>(addr + 2, PathMax));
        return (uint)(2 + byteCount + 1);
    }

    /// <summary>A socket file nobody listens on is left from a dead server; anything else stays.</summary>
    private static bool RemoveStaleSocket(string path)
    {
        try
        {
            using SafeFd probe = Connect(path);
            return false;
        }
        catch (PosixException e) when (e.Errno == Errno.ECONNREFUSED)
        {
            File.Delete(path);
            return true;
        }
    }
}
