using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Emulator.System.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class SocketBackendEndToEndTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task UnixServerWithoutWaitCarriesBothDirections()
    {
        using var scratch = new ScratchDirectory();
        string path = scratch.File("s");
        using var server = ChardevServerHarness.Start(scratch, $"socket,id=c,path={path},server=on,wait=off");
        using Socket peer = await ConnectWithRetryAsync(new UnixDomainSocketEndPoint(path));
        await RoundTripAsync(server, peer);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task UnixClientConnectsToItsServer()
    {
        using var scratch = new ScratchDirectory();
        string path = scratch.File("s");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        using var server = ChardevServerHarness.Start(scratch, $"socket,id=c,path={path}");
        using Socket peer = await listener.AcceptAsync().WaitAsync(Patience.Wait);
        await RoundTripAsync(server, peer);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task TcpServerOnLoopbackCarriesBothDirections()
    {
        using var scratch = new ScratchDirectory();
        int port = FreeTcpPort();
        using var server = ChardevServerHarness.Start(scratch, $"socket,id=c,host=127.0.0.1,port={port},server=on,wait=off");
        using Socket peer = await ConnectWithRetryAsync(new IPEndPoint(IPAddress.Loopback, port));
        await RoundTripAsync(server, peer);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task TcpClientConnectsToItsServer()
    {
        using var scratch = new ScratchDirectory();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        int port = PortOf(listener);
        using var server = ChardevServerHarness.Start(scratch, $"socket,id=c,host=127.0.0.1,port={port}");
        using Socket peer = await listener.AcceptAsync().WaitAsync(Patience.Wait);
        await RoundTripAsync(server, peer);
    }

    internal static async Task<Socket> ConnectWithRetryAsync(EndPoint endpoint)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (true)
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, endpoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(endpoint).WaitAsync(Patience.Wait);
                return socket;
            }
            catch (SocketException) when (DateTime.UtcNow < giveUp)
            {
                socket.Dispose();
                await Task.Delay(20);
            }
        }
    }

    internal static async Task<string> ReceiveAsync(Socket peer, int count)
    {
        byte[] buffer = new byte[count];
        int got = 0;
        while (got < count)
        {
            int n = await peer.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None).AsTask().WaitAsync(Patience.Wait);
            Assert.True(n > 0, $"peer closed after {got} of {count} bytes");
            got += n;
        }

        return Encoding.UTF8.GetString(buffer);
    }

    private static async Task RoundTripAsync(ChardevServerHarness server, Socket peer)
    {
        server.Events.WaitFor(Emulator.Chardev.ChardevEventKind.Opened);
        await peer.SendAsync(Encoding.UTF8.GetBytes("from the peer"), SocketFlags.None);
        Assert.Equal("from the peer", server.ReceiveText(13));
        server.Send("from the guest");
        Assert.Equal("from the guest", await ReceiveAsync(peer, 14));
    }

    private static int FreeTcpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return PortOf(probe);
    }

    private static int PortOf(Socket socket) =>
        socket.LocalEndPoint is IPEndPoint bound ? bound.Port : throw new InvalidOperationException("socket is not bound to an IP endpoint");
}
