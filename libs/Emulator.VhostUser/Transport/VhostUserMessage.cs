using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// One received message: header, payload and the file descriptors that came with it. The message owns
/// the descriptors until a handler takes them; disposing it closes every descriptor nobody took, so fds
/// that arrive with a rejected message are always closed.
/// </summary>
public sealed class VhostUserMessage : IDisposable
{
    private readonly SafeFd?[] _fds;

    public VhostUserMessage(VhostUserHeader header, byte[] payload, IReadOnlyList<SafeFd> fds)
    {
        Header = header;
        Payload = payload;
        _fds = [.. fds];
    }

    public VhostUserHeader Header { get; }

    public byte[] Payload { get; }

    public int FdCount => _fds.Length;

    /// <summary>Transfers ownership of descriptor <paramref name="index"/> to the caller.</summary>
    public SafeFd TakeFd(int index)
    {
        SafeFd fd = _fds[index] ?? throw new InvalidOperationException($"descriptor {index} was already taken");
        _fds[index] = null;
        return fd;
    }

    /// <summary>A descriptor still owned by the message (for fstat-style checks before taking it).</summary>
    public SafeFd PeekFd(int index) => _fds[index] ?? throw new InvalidOperationException($"descriptor {index} was already taken");

    public void Dispose()
    {
        for (int i = 0; i < _fds.Length; i++)
        {
            _fds[i]?.Dispose();
            _fds[i] = null;
        }
    }
}
