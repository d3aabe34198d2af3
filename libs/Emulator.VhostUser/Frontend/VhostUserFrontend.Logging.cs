using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// Dirty logging from the front-end's side: negotiate VHOST_F_LOG_ALL and LOG_SHMFD (pass
/// <see cref="VhostUserFeatureBits.LogAll"/> and <see cref="VhostUserProtocolFeatures.LogShmfd"/> to
/// <see cref="Negotiate"/>), then <see cref="EnableDirtyLog"/> after the memory table and before the
/// rings are configured, so <see cref="ConfigureQueue"/> also asks for used-ring logging.
/// <para>
/// The CPU process consumes the log when a ring's call eventfd fires and before it injects the interrupt:
/// <c>log.Harvest(gpa =&gt; interpreter.InvalidatePhysical(gpa, DirtyLog.PageSize))</c>. The back-end marks
/// each buffer write after the bytes land and before used.idx is published and the call is signalled, so
/// every page a completion filled is in the log by the time the call is seen.
/// </para>
/// </summary>
public sealed partial class VhostUserFrontend
{
    /// <summary>The log last sent with <see cref="SetLogBase"/> (owned by whoever created it), or null.</summary>
    public DirtyLog? DirtyLog { get; private set; }

    /// <summary>True when both VHOST_F_LOG_ALL and LOG_SHMFD were negotiated.</summary>
    public bool DirtyLogNegotiated =>
        (Features & VhostUserFeatureBits.LogAll) != 0 && (ProtocolFeatures & VhostUserProtocolFeatures.LogShmfd) != 0;

    /// <summary>
    /// Creates a log sized for <paramref name="memory"/> (top of RAM / 4096 / 8 bytes, whole 64-bit words) and
    /// sends it with SET_LOG_BASE. The caller owns the returned log and must keep it until the back-end is given
    /// another one or the connection ends. Throws <see cref="InvalidOperationException"/> unless
    /// <see cref="DirtyLogNegotiated"/>.
    /// </summary>
    public DirtyLog EnableDirtyLog(GuestMemory memory)
    {
        if (!DirtyLogNegotiated)
        {
            throw new InvalidOperationException("dirty logging needs VHOST_F_LOG_ALL and LOG_SHMFD negotiated first");
        }

        DirtyLog log = DirtyLog.ForMemory(memory);
        try
        {
            SetLogBase(log);
            return log;
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// SET_LOG_BASE with the log's memfd; waits for the back-end's u64 reply (it has mapped the log). Replacing a log
    /// while rings run is safe: the back-end switches with its rings stopped. Harvest the old log once more
    /// after this returns, then dispose it.
    /// </summary>
    public void SetLogBase(DirtyLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if ((ProtocolFeatures & VhostUserProtocolFeatures.LogShmfd) == 0)
        {
            throw new InvalidOperationException("SET_LOG_BASE with a shared log needs LOG_SHMFD negotiated");
        }

        _connection.SendRequest((uint)FrontendRequest.SetLogBase, log.Description.ToArray(), needReply: false, [log.Fd.Number]);
        // The reply only says the log is mapped: its value is not checked, as QEMU's front-end does not,
        // because libvhost-user (qemu-storage-daemon) answers with the request's first u64, the log's size.
        ReceiveReply((uint)FrontendRequest.SetLogBase, U64Payload.Size, 0).Dispose();

        DirtyLog = log;
    }

    /// <summary>SET_LOG_FD: an eventfd the back-end may signal after logging (ours keeps it but does not).</summary>
    public void SetLogFd(EventFd fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        Post(FrontendRequest.SetLogFd, [], [fd.Handle.Number]);
    }

    /// <summary>VHOST_VRING_F_LOG when a log is in use: the used ring is logged at its guest-physical address.</summary>
    private (uint Flags, ulong Log) RingLogging(ulong usedRing) =>
        DirtyLog is not null && DirtyLogNegotiated ? (VringAddress.FlagLog, usedRing) : (0, 0);
}
