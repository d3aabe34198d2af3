namespace Emulator.Vmm.CommandLine;

/// <summary>The block devices to create, in PCI slot order, and the chardevs left for the chardev servers.</summary>
/// <param name="Disks">One virtio-blk-pci function each: <c>-device</c>s in command-line order, then the <c>if=virtio</c> drives (QEMU's order).</param>
/// <param name="OtherChardevs">The <c>-chardev</c> strings no vhost-user device took: these get an <c>emu-chardev</c>.</param>
public sealed record BlockPlan(IReadOnlyList<PlannedDisk> Disks, IReadOnlyList<string> OtherChardevs)
{
    public static BlockPlan Empty { get; } = new([], []);
}
