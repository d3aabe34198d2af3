namespace Emulator.Vmm;

/// <summary>What the machine knows about a vhost-user device that the protocol does not say.</summary>
public sealed class VhostUserPciDeviceOptions
{
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
}
