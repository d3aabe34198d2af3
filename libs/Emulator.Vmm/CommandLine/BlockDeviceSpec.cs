namespace Emulator.Vmm.CommandLine;

/// <summary>One block <c>-device</c>, checked.</summary>
/// <param name="Kind">Which device.</param>
/// <param name="Backend">virtio-blk-pci's <c>drive=</c> (a drive id or node name) or vhost-user-blk-pci's <c>chardev=</c>.</param>
/// <param name="Id">The device's <c>id=</c>, if given.</param>
/// <param name="Serial">virtio-blk-pci's <c>serial=</c>.</param>
/// <param name="NumQueues"><c>num-queues=</c>; null: one.</param>
public sealed record BlockDeviceSpec(BlockDeviceKind Kind, string Backend, string? Id, string? Serial, int? NumQueues);
