namespace Emulator.VhostUser;

/// <summary>Sizes fixed by the wire format and the limits this implementation enforces.</summary>
public static class VhostUserLimits
{
    public const int HeaderSize = 12;

    /// <summary>No request or reply payload may be larger; bigger sizes are rejected before reading.</summary>
    public const int MaxPayloadSize = 4096;

    /// <summary>Regions in one SET_MEM_TABLE (VHOST_MEMORY_BASELINE_NREGIONS).</summary>
    public const int MaxMemTableRegions = 8;

    /// <summary>Regions the back-end accepts in total through ADD_MEM_REG (GET_MAX_MEM_SLOTS reply).</summary>
    public const int MaxMemSlots = 32;

    /// <summary>Largest config-space access (QEMU's VHOST_USER_MAX_CONFIG_SIZE).</summary>
    public const int MaxConfigSize = 256;

    /// <summary>Largest queue virtio allows for a split ring.</summary>
    public const int MaxQueueSize = 32768;

    /// <summary>Ring index field width in SET_VRING_KICK/CALL/ERR (bits 0-7).</summary>
    public const int MaxQueues = 256;
}
