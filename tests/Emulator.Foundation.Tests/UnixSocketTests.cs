using Emulator.Posix;

namespace Emulator.Foundation.Tests;

/// <summary>Bounded connects, the stale-socket remover and the socket-type query.</summary>
public sealed class UnixSocketTests
{
    [Fact]
    public void Connect_to_a_listener_that_never_accepts_times_out_with_ETIMEDOUT()
    {
        using var dir = new TempDir();
        string path = dir.File("busy.sock");
        using SafeFd listener = UnixSocket.Listen(path, backlog: 1);
        List<SafeFd> accepted = [];
        try
        {
            // The kernel queues backlog + 1 connections; the next one must wait, and give up in time.
            PosixException? timedOut = null;
            for (int i = 0; i < 8 && timedOut is null; i++)
            {
                try
                {
                    accepted.Add(UnixSocket.Connect(path, timeoutMs: 100));
                }
                catch (PosixException e)
                {
                    timedOut = e;
                }
            }

            Assert.NotNull(timedOut);
            Assert.Equal(Errno.ETIMEDOUT, timedOut.Errno);
            Assert.Contains($"connect({path})", timedOut.Message, StringComparison.Ordinal);
            Assert.InRange(accepted.Count, 1, 7);
        }
        finally
        {
            accepted.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void A_connection_made_with_a_timeout_works_normally_afterwards()
    {
        using var dir = new TempDir();
        string path = dir.File("ok.sock");
        using SafeFd listener = UnixSocket.Listen(path);
        using SafeFd client = UnixSocket.Connect(path, timeoutMs: 1000);
        using SafeFd? server = UnixSocket.Accept(listener);
        Assert.NotNull(server);
        UnixSocket.SendAll(client, "hi"u8);
        byte[] two = new byte[2];
        Assert.True(UnixSocket.ReceiveExactly(server, two, [], out _));
        Assert.Equal("hi"u8.ToArray(), two);
    }

    [Fact]
    public void Nobody_listening_is_refused_at_once()
    {
        using var dir = new TempDir();
        string path = dir.File("dead.sock");
        using (UnixSocket.Listen(path))
        {
        }

        PosixException e = Assert.Throws<PosixException>(() => UnixSocket.Connect(path, timeoutMs: 10_000));
        Assert.Equal(Errno.ECONNREFUSED, e.Errno);
    }

    [Fact]
    public void The_stale_socket_remover_removes_only_dead_sockets()
    {
        using var dir = new TempDir();
        string dead = dir.File("dead.sock");
        using (UnixSocket.Listen(dead))
        {
        }

        Assert.True(UnixSocket.RemoveStaleSocket(dead));
        Assert.False(File.Exists(dead));
        Assert.True(UnixSocket.RemoveStaleSocket(dir.File("never-existed.sock")));

        string live = dir.File("live.sock");
        using SafeFd listener = UnixSocket.Listen(live);
        Assert.False(UnixSocket.RemoveStaleSocket(live));
        Assert.True(File.Exists(live));

        // connect() also refuses a plain file; it is someone else's and must survive.
        string plain = dir.File("plain.txt");
        File.WriteAllText(plain, "keep me");
        Assert.False(UnixSocket.RemoveStaleSocket(plain));
        Assert.True(File.Exists(plain));
        Assert.Throws<PosixException>(() => UnixSocket.Listen(plain));
        Assert.Equal("keep me", File.ReadAllText(plain));
    }

    [Fact]
    public void Socket_type_query_tells_stream_sockets_from_everything_else()
    {
        (SafeFd a, SafeFd b) = UnixSocket.CreatePair();
        using (a)
        using (b)
        {
            Assert.True(UnixSocket.IsStreamSocket(a));
            Assert.Equal((UnixSocket.DomainUnix, UnixSocket.TypeStream), UnixSocket.GetSocketType(a));
        }

        using var notSocket = new EventFd();
        Assert.False(UnixSocket.IsStreamSocket(notSocket.Handle));
        PosixException e = Assert.Throws<PosixException>(() => UnixSocket.GetSocketType(notSocket.Handle));
        Assert.Equal(Errno.ENOTSOCK, e.Errno);
    }
}
