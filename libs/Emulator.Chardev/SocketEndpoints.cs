using System.Net;
using System.Net.Sockets;
using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>Turns a <see cref="SocketAddressSpec"/> into a listening or connected socket, with QEMU's error wording.</summary>
internal static class SocketEndpoints
{
    /// <summary>Binds and listens with a backlog of one, as QEMU does. A stale UNIX socket file is replaced.</summary>
    public static Socket Listen(SocketAddressSpec address)
    {
        Socket socket;
        EndPoint endPoint;
        string name;
        if (address is UnixSocketAddressSpec unix)
        {
            RemoveStaleSocketFile(unix.Path);
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            endPoint = new UnixDomainSocketEndPoint(unix.Path);
            name = $"Failed to bind socket to {unix.Path}";
        }
        else
        {
            TcpSocketAddressSpec tcp = (TcpSocketAddressSpec)address;
            IPAddress ip = Resolve(tcp, passive: true);
            socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            endPoint = new IPEndPoint(ip, tcp.Port);
            name = "Failed to bind socket";
        }

        try
        {
            socket.Bind(endPoint);
            socket.Listen(1);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ChardevException($"{name}: {e.Message}", e);
        }
    }

    /// <summary>Connects, giving up when <paramref name="cancel"/> fires (OperationCanceledException).</summary>
    public static Socket Connect(SocketAddressSpec address, CancellationToken cancel)
    {
        Socket socket;
        EndPoint endPoint;
        string name;
        if (address is UnixSocketAddressSpec unix)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            endPoint = new UnixDomainSocketEndPoint(unix.Path);
            name = unix.Path;
        }
        else
        {
            TcpSocketAddressSpec tcp = (TcpSocketAddressSpec)address;
            IPAddress ip = Resolve(tcp, passive: false);
            socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            endPoint = new IPEndPoint(ip, tcp.Port);
            name = $"{tcp.Host}:{tcp.Port}";
        }

        try
        {
            socket.ConnectAsync(endPoint, cancel).AsTask().GetAwaiter().GetResult();
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ChardevException($"Failed to connect to '{name}': {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An empty host means every address for a server and the loopback for a client; IPv4 is preferred.</summary>
    private static IPAddress Resolve(TcpSocketAddressSpec tcp, bool passive)
    {
        if (tcp.Host.Length == 0)
        {
            return passive ? IPAddress.Any : IPAddress.Loopback;
        }

        if (IPAddress.TryParse(tcp.Host, out IPAddress? literal))
        {
            return literal;
        }

        try
        {
            IPAddress[] found = Dns.GetHostAddresses(tcp.Host);
            return found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? found.FirstOrDefault()
                ?? throw new ChardevException($"address resolution failed for {tcp.Host}:{tcp.Port}: no address");
        }
        catch (SocketException e)
        {
            throw new ChardevException($"address resolution failed for {tcp.Host}:{tcp.Port}: {e.Message}", e);
        }
    }

    /// <summary>
    /// QEMU unlinks the path before binding; we only remove a socket nobody listens on (see
    /// <see cref="UnixSocket.RemoveStaleSocket"/>). A live server's socket or any other kind of file
    /// stays, and the bind then fails with "Address already in use".
    /// </summary>
    private static void RemoveStaleSocketFile(string path)
    {
        try
        {
            UnixSocket.RemoveStaleSocket(path);
        }
        catch (PosixException e)
        {
            throw new ChardevException($"Failed to bind socket to {path}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ChardevException($"Failed to bind socket to {path}: {e.Message}", e);
        }
    }
}
