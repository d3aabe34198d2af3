using System.Net;
using System.Net.Sockets;

namespace Emulator.Chardev.Tests;

public class TcpSocketBackendTests
{
    [Fact]
    public void ServerOnAnEphemeralPort()
    {
        List<string> messages = [];
        using IChardevBackend chardev = ChardevFactory.Create(Specs.Shorthand("tcp:127.0.0.1:0,server=on,wait=off,nodelay"), new ChardevContext(messages.Add));
        SocketBackend backend = Assert.IsType<SocketBackend>(chardev);
        backend.Start();
        IPEndPoint bound = Assert.IsType<IPEndPoint>(backend.LocalEndPoint);
        Assert.NotEqual(0, bound.Port);
        Assert.Equal($"disconnected:tcp:127.0.0.1:{bound.Port},server=on", backend.DisconnectedName);
        Assert.Empty(messages);

        EventLatch connected = new();
        backend.Connected += connected.Set;
        using BackendReader reader = new(backend);
        using Socket client = SocketPeer.ConnectTcp(bound);
        connected.WaitFor(1);
        client.Send("guest input"u8);
        Assert.Equal("guest input", reader.WaitForText("guest input"));
        backend.Write("console output"u8);
        Assert.Equal("console output", SocketPeer.ReadText(client, 14));
    }

    [Fact]
    public void ClientConnectsToAListener()
    {
        using Socket listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        int port = Specs.PortOf(listener);

        using IChardevBackend backend = ChardevFactory.Create(ChardevParser.ParseChardev($"socket,id=c,host=127.0.0.1,port={port}"));
        backend.Start();
        Assert.True(backend.IsConnected);
        using Socket server = SocketPeer.Accept(listener);
        using BackendReader reader = new(backend);
        server.Send("abc"u8);
        Assert.Equal("abc", reader.WaitForText("abc"));
        backend.Write("xyz"u8);
        Assert.Equal("xyz", SocketPeer.ReadText(server, 3));
    }

    [Fact]
    public void ClientReportsRefusalInQemusWords()
    {
        int port;
        using (Socket probe = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = Specs.PortOf(probe);
        }

        using IChardevBackend backend = ChardevFactory.Create(Specs.Shorthand($"tcp:127.0.0.1:{port}"));
        ChardevException e = Assert.Throws<ChardevException>(backend.Start);
        Assert.StartsWith($"Failed to connect to '127.0.0.1:{port}': ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerPortInUseFailsStart()
    {
        using Socket taken = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen(1);
        int port = Specs.PortOf(taken);
        using IChardevBackend backend = ChardevFactory.Create(Specs.Shorthand($"tcp:127.0.0.1:{port},server=on,wait=off"));
        ChardevException e = Assert.Throws<ChardevException>(backend.Start);
        Assert.StartsWith("Failed to bind socket: ", e.Message, StringComparison.Ordinal);
    }
}
