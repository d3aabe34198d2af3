using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Emulator.Chardev.Tests;

/// <summary>The test's end of a chardev socket, with reads that fail the test rather than hang.</summary>
internal static class SocketPeer
{
    public static Socket ConnectUnix(string path)
    {
        Socket socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    public static Socket ConnectTcp(EndPoint endPoint)
    {
        IPEndPoint ip = (IPEndPoint)endPoint;
        Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(new IPEndPoint(IPAddress.Loopback, ip.Port));
        return socket;
    }

    public static Socket ListenUnix(string path)
    {
        Socket socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(4);
        return socket;
    }

    public static string ReadText(Socket socket, int count) => Encoding.ASCII.GetString(ReadExactly(socket, count));

    public static byte[] ReadExactly(Socket socket, int count)
    {
        byte[] data = new byte[count];
        int got = 0;
        socket.ReceiveTimeout = Timeouts.Milliseconds;
        while (got < count)
        {
            int n = socket.Receive(data, got, count - got, SocketFlags.None);
            Assert.True(n > 0, $"connection closed after {got} of {count} bytes");
            got += n;
        }

        return data;
    }

    /// <summary>Accepts with a deadline.</summary>
    public static Socket Accept(Socket listener)
    {
        Assert.True(listener.Poll(Timeouts.Milliseconds * 1000, SelectMode.SelectRead), "nobody connected");
        return listener.Accept();
    }
}
