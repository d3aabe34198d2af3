namespace Emulator.Chardev;

/// <summary>
/// One chardev backend: a byte stream to a terminal, file, socket or pseudo-terminal.
/// One thread may call <see cref="Read"/> while another calls <see cref="Write"/>; <see cref="Stop"/>
/// and <see cref="IDisposable.Dispose"/> may come from any thread and unblock both (but not from a
/// <see cref="Connected"/>/<see cref="Disconnected"/> handler: Dispose waits for the call that raised it).
/// </summary>
public interface IChardevBackend : IDisposable
{
    /// <summary>The chardev id (QEMU's label).</summary>
    string Id { get; }

    /// <summary>Whether a peer is there (a socket client, someone holding the pty slave, an open terminal).</summary>
    bool IsConnected { get; }

    /// <summary>A peer arrived (QEMU's CHR_EVENT_OPENED). Raised on the thread that noticed.</summary>
    event Action? Connected;

    /// <summary>The peer left (CHR_EVENT_CLOSED). Raised on the thread that noticed.</summary>
    event Action? Disconnected;

    /// <summary>
    /// Opens the backend. Blocks where QEMU does: a <c>wait=on</c> server until its first client, a
    /// client without <c>reconnect</c> until connected. Throws <see cref="ChardevException"/> (or a
    /// <see cref="Emulator.Posix.PosixException"/>) on failure.
    /// </summary>
    void Start();

    /// <summary>
    /// Blocks until input arrives and returns its length; returns 0 only once stopped. Reading is how
    /// the backend is drained: a caller that stops reading applies back-pressure to the peer.
    /// </summary>
    int Read(Span<byte> buffer);

    /// <summary>
    /// Writes all of <paramref name="data"/>, blocking while the peer is slow (flow control). Bytes are
    /// dropped, as in QEMU, when nobody is connected; returns early once stopped.
    /// </summary>
    void Write(ReadOnlySpan<byte> data);

    /// <summary>Unblocks every Read and Write for good; they return at once from then on.</summary>
    void Stop();
}
