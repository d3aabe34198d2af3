namespace Emulator.Vmm.CommandLine;

/// <summary><c>-drive if=</c>: what the drive is attached to.</summary>
public enum DriveInterface
{
    /// <summary><c>if=virtio</c>: a virtio-blk-pci device is created for it.</summary>
    Virtio,

    /// <summary><c>if=none</c>: only a backend, for a <c>-device ...,drive=ID</c>.</summary>
    None,
}
