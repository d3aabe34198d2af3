using System.Net.Sockets;
using System.Text;

namespace Emulator.Chardev.Tests;

public class UnixSocketBackendTests
{
    [Fact]
    public void ServerWithoutWaitServesOneClientAtATime()
    {
        using TempDirectory dir = new();
        string path = dir.File("s.sock");
        using IChardevBackend backend = ChardevFactory.Create(Specs.Shorthand($"unix:{path},server=on,wait=off"), new ChardevContext(_ => { }));
        EventLatch connected = new();
        EventLatch disconnected = new();
        backend.Connected += connected.Set;
        backend.Disconnected += disconnected.Set;
        backend.Start();
        Assert.False(backend.IsConnected);

        // Written while nobody listens: dropped, as QEMU does.
        backend.Write("lost"u8);

        using BackendReader reader = new(backend);
        using (Socket first = SocketPeer.ConnectUnix(path))
        {
            connected.WaitFor(1);
            first.Send("from first;"u8);
            Assert.Equal("from first;", reader.WaitForText("from first;"));
            backend.Write("to first"u8);
            Assert.Equal("to first", SocketPeer.ReadText(first, 8));

            // A second client waits in the backlog while the first is connected.
            using Socket second = SocketPeer.ConnectUnix(path);
            second.Send("queued;"u8);
            first.Shutdown(SocketShutdown.Both);
            disconnected.WaitFor(1);
            connected.WaitFor(2);
            Assert.Equal("from first;queued;", reader.WaitForText("from first;queued;"));
            backend.Write("to second"u8);
            Assert.Equal("to second", SocketPeer.ReadText(second, 9));
        }

        disconnected.WaitFor(2);
        backend.Write("lost again"u8);
        using Socket third = SocketPeer.ConnectUnix(path);
        connected.WaitFor(3);
        backend.Write("third"u8);
        Assert.Equal("third", SocketPeer.ReadText(third, 5));
    }

    [Fact]
    public void ServerWithWaitBlocksStartUntilAClientComes()
    {
        using TempDirectory dir = new();
        string path = dir.File("w.sock");
        List<string> messages = [];
        using IChardevBackend backend = ChardevFactory.Create(ChardevParser.ParseChardev($"socket,id=mon0,path={path},server=on"), new ChardevContext(m => { lock (messages) { messages.Add(m); } }));
        int started = 0;
        TestThread start = new(() =>
        {
            backend.Start();
            Volatile.Write(ref started, 1);
        });
        Socket? client = null;
        long deadline = Environment.TickCount64 + Timeouts.Milliseconds;
        while (client is null)
        {
            Assert.Equal(0, Volatile.Read(ref started));
            try
            {
                client = SocketPeer.ConnectUnix(path);
            }
            catch (SocketException) when (Environment.TickCount64 < deadline)
            {
                Thread.Sleep(10);
            }
        }

        using (client)
        {
            start.Join();
            Assert.True(backend.IsConnected);
            lock (messages)
            {
                Assert.Equal([$"QEMU waiting for connection on: disconnected:unix:{path},server=on"], messages);
            }

            backend.Write("hi"u8);
            Assert.Equal("hi", SocketPeer.ReadText(client, 2));
        }
    }

    [Fact]
    public void ServerRemovesItsSocketFileAndReplacesAStaleOne()
    {
        using TempDirectory dir = new();
        string path = dir.File("stale.sock");
        using (Emulator.Posix.SafeFd stale = Emulator.Posix.UnixSocket.Listen(path))
        {
            // Closing a raw listener leaves its file behind, as a crashed server would.
        }

        Assert.True(File.Exists(path));
        using (IChardevBackend backend = ChardevFactory.Create(Specs.Shorthand($"unix:{path},server,nowait", "s")))
        {
            backend.Start();
            using Socket client = SocketPeer.ConnectUnix(path);
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ServerRefusesToReplaceARegularFile()
    {
        using TempDirectory dir = new();
        string path = dir.File("precious");
        File.WriteAllText(path, "keep me");
        using IChardevBackend backend = ChardevFactory.Create(Specs.Shorthand($"unix:{path},server,nowait", "s"));
        ChardevException e = Assert.Throws<ChardevException>(backend.Start);
        Assert.Equal($"Failed to bind socket to {path}: Address already in use", e.Message);
        Assert.Equal("keep me", File.ReadAllText(path));
    }

    [Fact]
    public void ClientConnectsAtStartAndFailsWhenNobodyListens()
    {
        using TempDirectory dir = new();
        string path = dir.File("c.sock");
        using (IChardevBackend refused = ChardevFactory.Create(Specs.Shorthand($"unix:{path}", "s")))
        {
            ChardevException e = Assert.Throws<ChardevException>(refused.Start);
            Assert.StartsWith($"Failed to connect to '{path}': ", e.Message, StringComparison.Ordinal);
        }

        using Socket listener = SocketPeer.ListenUnix(path);
        using IChardevBackend backend = ChardevFactory.Create(Specs.Shorthand($"unix:{path}", "s"));
        backend.Start();
        Assert.True(backend.IsConnected);
        using Socket server = SocketPeer.Accept(listener);
        using BackendReader reader = new(backend);
        server.Send("down"u8);
        Assert.Equal("down", reader.WaitForText("down"));
        backend.Write("up"u8);
        Assert.Equal("up", SocketPeer.ReadText(server, 2));
    }

    [Fact]
    public void ClientWithReconnectRetriesUntilTheServerComesAndAfterItLeaves()
    {
        using TempDirectory dir = new();
        string path = dir.File("r.sock");
        List<string> messages = [];
        EventLatch reported = new();
        using IChardevBackend backend = ChardevFactory.Create(
            ChardevParser.ParseChardev($"socket,id=serial1,path={path},reconnect-ms=20"),
            new ChardevContext(m =>
            {
                lock (messages)
                {
                    messages.Add(m);
                }

                reported.Set();
            }));
        EventLatch connected = new();
        EventLatch disconnected = new();
        backend.Connected += connected.Set;
        backend.Disconnected += disconnected.Set;
        backend.Start();
        Assert.False(backend.IsConnected);

        using BackendReader reader = new(backend);
        reported.WaitFor(1); // the first attempt failed: nobody listens yet
        using Socket listener = SocketPeer.ListenUnix(path);
        using (Socket first = SocketPeer.Accept(listener))
        {
            connected.WaitFor(1);
            first.Send("one;"u8);
            Assert.Equal("one;", reader.WaitForText("one;"));
        }

        disconnected.WaitFor(1);
        using Socket second = SocketPeer.Accept(listener);
        connected.WaitFor(2);
        second.Send("two;"u8);
        Assert.Equal("one;two;", reader.WaitForText("one;two;"));
        lock (messages)
        {
            string message = Assert.Single(messages);
            Assert.StartsWith($"Unable to connect character device serial1: Failed to connect to '{path}': ", message, StringComparison.Ordinal);
        }

        Assert.Equal("one;two;", Encoding.ASCII.GetString(reader.Snapshot()));
    }
}
