namespace Emulator.Virtio;

/// <summary>The notification-suppression bits of the avail and used ring <c>flags</c> (virtio 1.2, 2.7.7 and 2.7.10).</summary>
public static class RingFlags
{
    /// <summary>avail.flags: the driver does not want used-buffer notifications (ignored with EVENT_IDX).</summary>
    public const ushort AvailNoInterrupt = 1;

    /// <summary>used.flags: the device does not want available-buffer notifications (kicks); never set with EVENT_IDX.</summary>
    public const ushort UsedNoNotify = 1;
}
