using Emulator.VhostUser;

namespace Emulator.Vmm;

/// <summary>What the machine knows about a vhost-user device that the protocol does not say.</summary>
public sealed class VhostUserPciDeviceOptions
{
    public const int DefaultReconnectDelayMs = 50;

    public const int DefaultReconnectMaxDelayMs = 2000;

    /// <summary>The virtio device ID (3 for a console, say).</summary>
    public required int DeviceType { get; init; }

    /// <summary>Bytes of device configuration (GET_CONFIG beyond the server's size ends the session).</summary>
    public uint ConfigSize { get; init; }

    /// <summary>Number of rings; null asks the server (GET_QUEUE_NUM, which needs the MQ protocol feature).</summary>
    public int? QueueCount { get; init; }

    /// <summary>Largest ring the driver may set up (vhost-user has no request for it; QEMU uses 256 or more).</summary>
    public ushort MaxQueueSize { get; init; } = 256;

    /// <summary>Diagnostics (a broken server, rings it refused).</summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>
    /// Drops decoded guest code in a guest-physical range (the vCPU's <c>InvalidatePhysical</c>, thread-safe).
    /// When set and the server offers LOG_SHMFD, the server logs every page it writes in a shared
    /// dirty bitmap, harvested into this before each of its interrupts reaches the guest.
    /// </summary>
    public Action<ulong, ulong>? InvalidateCode { get; init; }

    /// <summary>Name for threads and log lines.</summary>
    public string Name { get; init; } = "virtio";

    /// <summary>
    /// Crash containment: when set, a server that hangs up or fails a request is replaced instead of the
    /// device going to DEVICE_NEEDS_RESET. The function (run on a device thread, never the vCPU's) respawns
    /// the server or reconnects to its socket and returns a fresh, unused front-end; it may throw
    /// <see cref="VhostUserProtocolException"/>, <c>PosixException</c> or <see cref="DeviceManagerException"/>,
    /// and is then called again after a growing delay. With it the device also negotiates INFLIGHT_SHMFD
    /// when offered, so requests the dead server had in flight are resubmitted by the new one.
    /// </summary>
    public Func<VhostUserFrontend>? Reconnect { get; init; }

    /// <summary>Delay before the second reconnection attempt; it doubles up to <see cref="ReconnectMaxDelayMs"/>.</summary>
    public int ReconnectDelayMs { get; init; } = DefaultReconnectDelayMs;

    /// <summary>Longest wait between reconnection attempts.</summary>
    public int ReconnectMaxDelayMs { get; init; } = DefaultReconnectMaxDelayMs;
}
