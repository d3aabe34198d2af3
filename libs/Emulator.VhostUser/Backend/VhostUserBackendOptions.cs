namespace Emulator.VhostUser;

/// <summary>How a <see cref="VhostUserBackend"/> treats the socket and the descriptors it is handed.</summary>
public sealed class VhostUserBackendOptions
{
    /// <summary>
    /// True (the default): the session owns the socket and closes it when it ends. False: the socket is
    /// borrowed (an <c>IConnectionHandler</c>'s socket, which its host owns and closes): the session works on
    /// its own duplicate, which is all it ever closes, and at the end shuts the connection down so the
    /// front-end still sees the session end. The caller's descriptor stays open and valid either way.
    /// </summary>
    public bool OwnsSocket { get; init; } = true;

    /// <summary>
    /// False (the default): guest memory regions and in-flight buffers are mapped only from descriptors
    /// sealed against shrinking (F_SEAL_SHRINK), so a front-end that truncates the file later cannot crash
    /// this process with SIGBUS. QEMU's memory-backend-memfd seals by default (seal=on), but its
    /// memory-backend-file and seal=off memfds are not sealable: set this to talk to such a front-end,
    /// trusting it not to truncate.
    /// </summary>
    public bool AllowUnsealedMemory { get; init; }
}
