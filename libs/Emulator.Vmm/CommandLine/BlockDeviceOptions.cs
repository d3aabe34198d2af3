using Emulator.Options;

namespace Emulator.Vmm.CommandLine;

/// <summary>
/// The block <c>-device</c>s: <c>virtio-blk-pci,drive=ID[,serial=S][,num-queues=K][,id=..]</c> (alias
/// <c>virtio-blk</c>) and <c>vhost-user-blk-pci,chardev=ID[,num-queues=K][,id=..]</c>. Pure; errors are
/// <see cref="OptionsException"/>.
/// </summary>
public static class BlockDeviceOptions
{
    public const string HelpText = "Storage devices:\n"
        + "name \"vhost-user-blk-pci\", bus PCI\n"
        + "name \"virtio-blk-pci\", bus PCI, alias \"virtio-blk\"\n";

    /// <summary>True if <paramref name="value"/> names one of the block devices (whatever else it says).</summary>
    public static bool IsBlockDevice(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int comma = value.IndexOf(',', StringComparison.Ordinal);
        string driver = comma < 0 ? value : value[..comma];
        return driver is "virtio-blk-pci" or "virtio-blk" or "vhost-user-blk-pci";
    }

    public static BlockDeviceSpec Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        KeyValueOptions o = KeyValueOptions.Parse(value, "driver");
        string driver = o.GetRequired("driver");
        string? id = BlockOptionValues.Identifier(o.Get("id"), "device id");
        int? queues = BlockOptionValues.NumQueues(o.Get("num-queues"));
        BlockDeviceSpec spec;
        switch (driver)
        {
            case "virtio-blk-pci" or "virtio-blk":
                string drive = o.Get("drive") is { Length: > 0 } d ? d : throw new OptionsException("drive property not set");
                spec = new BlockDeviceSpec(BlockDeviceKind.VirtioBlk, drive, id, BlockOptionValues.Serial(o.Get("serial")), queues);
                break;
            case "vhost-user-blk-pci":
                string chardev = o.Get("chardev") is { Length: > 0 } c ? c : throw new OptionsException("chardev is mandatory");
                spec = new BlockDeviceSpec(BlockDeviceKind.VhostUserBlk, chardev, id, null, queues);
                break;
            default:
                throw new OptionsException($"'{driver}' is not a valid device model name");
        }

        o.ThrowOnUnused();
        return spec;
    }
}
