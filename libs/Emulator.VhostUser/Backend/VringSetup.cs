using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// Everything a device needs to run one split ring, handed over at start. Ring addresses are guest
/// physical, already translated and checked: each part lies wholly inside one region of
/// <see cref="Memory"/> and is naturally aligned. The eventfds belong to the back-end.
/// </summary>
public sealed class VringSetup
{
    public required int Index { get; init; }

    public required GuestMemory Memory { get; init; }

    public required ushort Size { get; init; }

    public required ulong DescriptorTable { get; init; }

    public required ulong AvailableRing { get; init; }

    public required ulong UsedRing { get; init; }

    /// <summary>The next avail index to process (SET_VRING_BASE, or where the ring last stopped).</summary>
    public required ushort NextAvail { get; init; }

    public required EventFd Kick { get; init; }

    /// <summary>Null when the front-end polls the used ring instead of waiting for a call.</summary>
    public EventFd? Call { get; init; }

    public EventFd? Err { get; init; }

    /// <summary>VIRTIO_RING_F_EVENT_IDX was negotiated.</summary>
    public bool EventIdx { get; init; }

    /// <summary>The acknowledged virtio features (bit 30 removed).</summary>
    public ulong Features { get; init; }

    /// <summary>The ring's in-flight log when INFLIGHT_SHMFD is in use.</summary>
    public InflightQueue? Inflight { get; init; }

    /// <summary>The session's log, for ring-side errors (a <see cref="VringWorker"/> built from this setup logs its fault here).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Interrupts the driver (used buffers are ready).</summary>
    public void SignalCall() => Call?.Signal();

    /// <summary>Tells the front-end the ring hit an error (a malformed descriptor chain, say).</summary>
    public void SignalError() => Err?.Signal();
}
