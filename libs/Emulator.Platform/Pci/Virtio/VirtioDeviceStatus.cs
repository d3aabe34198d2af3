namespace Emulator.Platform;

/// <summary>The device_status bits (virtio 1.2, 2.1).</summary>
public static class VirtioDeviceStatus
{
    public const byte Acknowledge = 1;
    public const byte Driver = 2;
    public const byte DriverOk = 4;
    public const byte FeaturesOk = 8;
    public const byte NeedsReset = 0x40;
    public const byte Failed = 0x80;

    /// <summary>The bits a driver may set (NEEDS_RESET is the device's).</summary>
    public const byte DriverBits = Acknowledge | Driver | DriverOk | FeaturesOk | Failed;
}
