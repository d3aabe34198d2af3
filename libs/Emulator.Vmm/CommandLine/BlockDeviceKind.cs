namespace Emulator.Vmm.CommandLine;

/// <summary>The block devices <c>-device</c> can create.</summary>
public enum BlockDeviceKind
{
    /// <summary><c>virtio-blk-pci</c>: its backend is a drive or node, served by an <c>emu-block</c> the emulator starts.</summary>
    VirtioBlk,

    /// <summary><c>vhost-user-blk-pci</c>: its backend is a vhost-user-blk server someone else started, reached through a socket chardev.</summary>
    VhostUserBlk,
}
