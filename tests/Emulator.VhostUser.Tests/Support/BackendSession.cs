using System.Collections.Concurrent;
using Emulator.Posix;
using Emulator.TestPeer;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// A back-end running <see cref="VhostUserBackend.Run"/> on its own thread over a socketpair, with a
/// front-end on the other end, all in this process.
/// </summary>
internal sealed class BackendSession : IDisposable
{
    private readonly Thread _thread;

    public BackendSession(
        IVhostUserDevice? device = null,
        int frontendTimeoutMs = 10_000,
        int messageTimeoutMs = 5_000,
        VhostUserBackendOptions? options = null,
        int backendReplyTimeoutMs = 5_000)
    {
        (SafeFd frontendEnd, SafeFd backendEnd) = UnixSocket.CreatePair();
        Device = device ?? new EchoDevice();
        Backend = new VhostUserBackend(backendEnd, Device, Log.Enqueue, options ?? new VhostUserBackendOptions())
        {
            MessageTimeoutMs = messageTimeoutMs,
            BackendReplyTimeoutMs = backendReplyTimeoutMs,
        };
        if (Device is EchoDevice echo)
        {
            echo.ConfigChangeRequested = () => Backend.SendConfigChange();
        }

        Frontend = new VhostUserFrontend(frontendEnd, frontendTimeoutMs);
        _thread = new Thread(() => Result = Backend.Run()) { IsBackground = true, Name = "backend-session" };
        _thread.Start();
    }

    public IVhostUserDevice Device { get; }

    public VhostUserBackend Backend { get; }

    public VhostUserFrontend Frontend { get; }

    public ConcurrentQueue<string> Log { get; } = new();

    public VhostUserProtocolException? Result { get; private set; }

    public bool HasEnded => !_thread.IsAlive;

    /// <summary>Waits for Run to return (hang-up, stop request or rejection).</summary>
    public void WaitForEnd() => Assert.True(_thread.Join(10_000), "back-end session did not end");

    /// <summary>The standard opening: every feature both sides know, REPLY_ACK included.</summary>
    public NegotiatedFeatures Negotiate(VhostUserProtocolFeatures protocol = (VhostUserProtocolFeatures)ulong.MaxValue) =>
        Frontend.Negotiate(ulong.MaxValue, protocol);

    /// <summary>Writes a raw message (any header, any payload, any fds) past the typed front-end.</summary>
    public void SendRaw(VhostUserHeader header, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds = default)
    {
        byte[] bytes = new byte[VhostUserHeader.Length + payload.Length];
        header.Write(bytes);
        payload.CopyTo(bytes.AsSpan(VhostUserHeader.Length));
        UnixSocket.SendAll(Frontend.Socket, bytes, fds);
    }

    public void SendRaw(FrontendRequest request, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds = default) =>
        SendRaw(VhostUserHeader.ForRequest((uint)request, payload.Length), payload, fds);

    /// <summary>
    /// Asserts the back-end rejected a message: its loop ended with a protocol error (no crash, no hang),
    /// logged why, and closed the connection (the front-end reads end-of-file).
    /// </summary>
    public VhostUserProtocolException AssertRejected()
    {
        Assert.True(_thread.Join(10_000), "back-end did not end after a bad message");
        VhostUserProtocolException error = Assert.IsType<VhostUserProtocolException>(Result);
        Assert.Contains(Log, line => line.Contains("rejected", StringComparison.Ordinal) || line.Contains("closing", StringComparison.Ordinal));
        AssertPeerClosed();
        return error;
    }

    /// <summary>A typed request the back-end must refuse (REPLY_ACK status), then close the connection.</summary>
    public VhostUserProtocolException ExpectRejection(Action request)
    {
        Assert.Throws<VhostUserProtocolException>(request);
        return AssertRejected();
    }

    /// <summary>Reads (and discards) whatever the back-end sent until end-of-file.</summary>
    public void AssertPeerClosed()
    {
        byte[] buffer = new byte[4096];
        List<SafeFd> fds = [];
        while (true)
        {
            Assert.True(Poller.WaitOne(Frontend.Socket, PollEvents.In, 10_000) != 0, "connection was not closed");
            int n;
            try
            {
                n = UnixSocket.Receive(Frontend.Socket, buffer, fds, out _);
            }
            catch (PosixException e) when (e.Errno == Errno.ECONNRESET)
            {
                // Closed while our own unread requests were still queued on its side: closed all the same.
                return;
            }

            fds.ForEach(f => f.Dispose());
            fds.Clear();
            if (n == 0)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        Frontend.Dispose();
        _thread.Join(10_000);
    }
}
