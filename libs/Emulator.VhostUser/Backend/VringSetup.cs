using Emulator.Memory;
using Emulator.Posix;
using Emulator.Virtio;

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

    /// <summary>
    /// The dirty log the ring's guest writes must be marked in (LOG_SHMFD with VHOST_F_LOG_ALL), or null.
    /// A queue from <see cref="CreateSplitQueue"/> uses it by itself.
    /// </summary>
    public IGuestWriteLog? WriteLog { get; init; }

    /// <summary>Where used-ring writes are logged (SET_VRING_ADDR's log_guest_addr with VHOST_VRING_F_LOG), or null.</summary>
    public ulong? UsedRingLogAddress { get; init; }

    /// <summary>
    /// The split queue for this ring, with dirty logging wired in: <see cref="SplitQueue.NextAvail"/> from
    /// <see cref="NextAvail"/>, <see cref="SplitQueue.NextUsed"/> from the used ring's idx as it is now.
    /// Devices that write guest memory only through this queue and its chains need nothing else for logging.
    /// Throws <see cref="VirtqueueException"/> for a layout the queue refuses.
    /// </summary>
    public SplitQueue CreateSplitQueue() =>
        new(Memory, Size, DescriptorTable, AvailableRing, UsedRing, EventIdx)
        {
            NextAvail = NextAvail,
            NextUsed = Memory.LoadAcquireU16(UsedRing + SplitRingLayout.IndexOffset),
            WriteLog = WriteLog,
            UsedRingLogAddress = UsedRingLogAddress,
        };

    /// <summary>Interrupts the driver (used buffers are ready).</summary>
    public void SignalCall() => Call?.Signal();

    /// <summary>Tells the front-end the ring hit an error (a malformed descriptor chain, say).</summary>
    public void SignalError() => Err?.Signal();
}
