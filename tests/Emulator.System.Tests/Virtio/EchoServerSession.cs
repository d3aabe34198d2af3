using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.System.Tests.Virtio;

/// <summary>An <see cref="EchoVirtioServer"/> served on its own thread over one end of a socketpair.</summary>
internal sealed class EchoServerSession : IDisposable
{
    private readonly VhostUserBackend _backend;
    private readonly Thread _thread;
    private readonly SafeFd _serverEnd;

    public EchoServerSession(string name, ulong features = 1UL << 32)
    {
        Server = new EchoVirtioServer(features);
        (SafeFd clientEnd, _serverEnd) = UnixSocket.CreatePair();
        ClientEnd = clientEnd;
        _backend = new VhostUserBackend(_serverEnd, Server);
        _thread = new Thread(() => _backend.Run()) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public EchoVirtioServer Server { get; }

    /// <summary>The front-end's end; whoever builds the front-end on it owns it.</summary>
    public SafeFd ClientEnd { get; }

    /// <summary>The server "dies": its socket shut down under it, its session ends.</summary>
    public void Kill()
    {
        UnixSocket.Shutdown(_serverEnd);
        Assert.True(_thread.Join(10_000), "the echo server's session did not end");
    }

    /// <summary>After the front-end is gone (its end closed, so the session has ended or is ending).</summary>
    public void Dispose()
    {
        _thread.Join(10_000);
        _backend.Dispose();
        _serverEnd.Dispose();
    }
}
