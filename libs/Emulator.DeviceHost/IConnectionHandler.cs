using Emulator.Posix;

namespace Emulator.DeviceHost;

/// <summary>
/// The per-connection work of a device server (the vhost-user back-end session plugs in here).
/// One instance serves every connection of the process, one at a time, so state that must survive
/// a front-end reconnect (the in-flight log) can live in it.
/// </summary>
public interface IConnectionHandler
{
    /// <summary>
    /// Serves one front-end. Blocks; returns when the peer hangs up or <paramref name="stop"/> is
    /// requested. On stop the host shuts the socket down, so a blocked read returns 0 (end of
    /// stream) without the handler watching the token itself. The host owns and closes
    /// <paramref name="socket"/>. Throw <see cref="IOException"/> or <see cref="InvalidDataException"/>
    /// for a failure of this connection (logged; with --socket-path the server goes on listening,
    /// with --fd it exits with status 1); any other exception ends the server with status 1.
    /// </summary>
    void Serve(SafeFd socket, CancellationToken stop);
}
