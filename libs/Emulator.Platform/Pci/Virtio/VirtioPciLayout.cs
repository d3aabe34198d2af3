namespace Emulator.Platform;

/// <summary>
/// Where the modern virtio-pci structures live (virtio 1.2, 4.1.4), as QEMU lays them out: MSI-X table
/// and PBA in BAR 1; common config, ISR, device config and notify in 4 KiB regions of the 64-bit BAR 4.
/// Queue <c>n</c>'s notify address is the notify region plus <c>n * NotifyOffMultiplier</c>.
/// </summary>
public static class VirtioPciLayout
{
    public const ushort VendorId = 0x1AF4;
    public const ushort FirstModernDeviceId = 0x1040;
    public const byte Revision = 1;

    public const byte VendorCapabilityId = 0x09;
    public const byte CommonConfigType = 1;
    public const byte NotifyConfigType = 2;
    public const byte IsrConfigType = 3;
    public const byte DeviceConfigType = 4;

    public const int MsixBar = 1;
    public const ulong MsixBarSize = 0x1000;
    public const uint MsixTableOffset = 0;
    public const uint MsixPbaOffset = 0x800;

    public const int RegionBar = 4;
    public const ulong RegionSize = 0x1000;
    public const ulong CommonOffset = 0x0000;
    public const ulong IsrOffset = 0x1000;
    public const ulong DeviceOffset = 0x2000;
    public const ulong NotifyOffset = 0x3000;
    public const ulong RegionBarSize = 0x4000;
    public const uint NotifyOffMultiplier = 4;

    /// <summary>Queues whose notify addresses fit the notify region, and whose vectors (plus config) fit the MSI-X table below the PBA.</summary>
    public const int MaxQueues = 127;

    public const ushort NoVector = 0xFFFF;

    // struct virtio_pci_common_cfg
    public const int DeviceFeatureSelect = 0x00;
    public const int DeviceFeature = 0x04;
    public const int DriverFeatureSelect = 0x08;
    public const int DriverFeature = 0x0C;
    public const int ConfigMsixVector = 0x10;
    public const int NumQueues = 0x12;
    public const int DeviceStatus = 0x14;
    public const int ConfigGeneration = 0x15;
    public const int QueueSelect = 0x16;
    public const int QueueSize = 0x18;
    public const int QueueMsixVector = 0x1A;
    public const int QueueEnable = 0x1C;
    public const int QueueNotifyOff = 0x1E;
    public const int QueueDesc = 0x20;
    public const int QueueDriver = 0x28;
    public const int QueueDevice = 0x30;
    public const int QueueNotifyData = 0x38;
    public const int QueueReset = 0x3A;
    public const int CommonConfigLength = 0x3C;
}
