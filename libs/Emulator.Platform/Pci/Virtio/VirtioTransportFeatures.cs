namespace Emulator.Platform;

/// <summary>Reserved feature bits (virtio 1.2, 6) the PCI transport itself cares about.</summary>
public static class VirtioTransportFeatures
{
    public const ulong Version1 = 1UL << 32;

    /// <summary>
    /// Bits this transport never offers whatever the device says: packed rings (34; the rings are checked
    /// as split rings), SR-IOV (37), notification data (38; a notify is only an eventfd write), notification
    /// config data (39), queue reset (40) and admin queues (41).
    /// </summary>
    public const ulong Unsupported = (1UL << 34) | (1UL << 37) | (1UL << 38) | (1UL << 39) | (1UL << 40) | (1UL << 41);
}
