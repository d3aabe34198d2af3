namespace Emulator.VirtioBlock;

/// <summary>The status byte the device writes last into every request (virtio 1.2, 5.2.6).</summary>
public enum VirtioBlkStatus : byte
{
    Ok = 0,
    IoErr = 1,
    Unsupp = 2,
}
