namespace Emulator.Chardev;

/// <summary><c>socket</c>: a UNIX or TCP stream socket, listening or connecting.</summary>
/// <param name="Address">Where to listen or connect.</param>
/// <param name="Server"><c>server=on</c>: listen and accept one client at a time.</param>
/// <param name="Wait"><c>wait=on</c> (servers only): block at start until the first client connects.</param>
/// <param name="Reconnect">Clients only: retry period after a failed or lost connection; null = never.</param>
/// <param name="NoDelay"><c>nodelay=on</c>: TCP_NODELAY on the connection.</param>
public sealed record SocketBackendSpec(
    SocketAddressSpec Address,
    bool Server,
    bool Wait,
    TimeSpan? Reconnect = null,
    bool NoDelay = false) : ChardevBackendSpec
{
    public override string Name => "socket";
}
