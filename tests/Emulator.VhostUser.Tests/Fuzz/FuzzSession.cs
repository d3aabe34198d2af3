using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>A back-end over a socketpair, driven message by message on the fuzz thread.</summary>
internal sealed class FuzzSession : IDisposable
{
    private readonly SafeFd _frontend;
    private readonly byte[] _buffer = new byte[8192];
    private readonly List<SafeFd> _fds = [];

    public FuzzSession()
    {
        (SafeFd a, SafeFd b) = UnixSocket.CreatePair();
        _frontend = a;
        Backend = new VhostUserBackend(b, new FuzzDevice()) { MessageTimeoutMs = 20, BackendReplyTimeoutMs = 20 };
    }

    public VhostUserBackend Backend { get; }

    public void Send(FuzzMessage m)
    {
        byte[] bytes = new byte[VhostUserHeader.Length + m.SentPayload.Length];
        m.Header.Write(bytes);
        m.SentPayload.CopyTo(bytes.AsSpan(VhostUserHeader.Length));
        UnixSocket.SendAll(_frontend, bytes, m.Fds);
    }

    /// <summary>Reads and drops whatever the back-end answered (closing any fds it sent).</summary>
    public void DrainReplies()
    {
        while (Poller.WaitOne(_frontend, PollEvents.In, 0) != 0)
        {
            int n = UnixSocket.Receive(_frontend, _buffer, _fds, out _);
            _fds.ForEach(f => f.Dispose());
            _fds.Clear();
            if (n == 0)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        Backend.Dispose();
        _frontend.Dispose();
    }
}
