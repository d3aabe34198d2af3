namespace Emulator.Chardev;

/// <summary>virtio-console (virtio 1.2, 5.3) as this server implements it: one port, no multiport, no emergency write.</summary>
public static class VirtioConsoleLayout
{
    public const uint DeviceId = 3;

    /// <summary>receiveq0: buffers the device fills with input for the guest.</summary>
    public const int ReceiveQueue = 0;

    /// <summary>transmitq0: buffers of guest output.</summary>
    public const int TransmitQueue = 1;

    public const int QueueCount = 2;

    public const ushort MaxQueueSize = 1024;

    /// <summary>VIRTIO_F_VERSION_1.</summary>
    public const ulong FeatureVersion1 = 1UL << 32;

    /// <summary>VIRTIO_F_RING_INDIRECT_DESC.</summary>
    public const ulong FeatureIndirectDescriptors = 1UL << 28;

    /// <summary>VIRTIO_F_RING_EVENT_IDX.</summary>
    public const ulong FeatureEventIndex = 1UL << 29;

    /// <summary>Config space: <c>{u16 cols; u16 rows; u32 max_nr_ports; u32 emerg_wr}</c>.</summary>
    public const uint ConfigSize = 12;

    /// <summary>The config space bytes: no size (F_SIZE is not offered), one port, emerg_wr reads as 0.</summary>
    public static byte[] Config()
    {
        byte[] config = new byte[ConfigSize];
        BitConverter.TryWriteBytes(config.AsSpan(4), 1u);
        return config;
    }
}
