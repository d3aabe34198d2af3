namespace Emulator.VhostUser;

/// <summary>Virtio feature bits (GET/SET_FEATURES) this library itself interprets.</summary>
public static class VhostUserFeatureBits
{
    /// <summary>Bit 30: the back-end speaks GET/SET_PROTOCOL_FEATURES. Never offered to the guest.</summary>
    public const ulong ProtocolFeatures = 1UL << 30;

    /// <summary>VIRTIO_RING_F_EVENT_IDX (bit 29): used_event/avail_event notification suppression.</summary>
    public const ulong RingEventIdx = 1UL << 29;
}
