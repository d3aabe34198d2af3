namespace Emulator.VhostUser;

/// <summary>Virtio feature bits (GET/SET_FEATURES) this library itself interprets.</summary>
public static class VhostUserFeatureBits
{
    /// <summary>Bit 30: the back-end speaks GET/SET_PROTOCOL_FEATURES. Never offered to the guest.</summary>
    public const ulong ProtocolFeatures = 1UL << 30;

    /// <summary>VIRTIO_RING_F_EVENT_IDX (bit 29): used_event/avail_event notification suppression.</summary>
    public const ulong RingEventIdx = 1UL << 29;

    /// <summary>
    /// VHOST_F_LOG_ALL (bit 26): the back-end logs every guest write in the dirty log. Offered by the back-end
    /// itself when LOG_SHMFD is; it is a vhost bit, never shown to the device or the guest.
    /// </summary>
    public const ulong LogAll = 1UL << 26;
}
