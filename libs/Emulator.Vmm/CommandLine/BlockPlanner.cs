using Emulator.Chardev;
using Emulator.Options;

namespace Emulator.Vmm.CommandLine;

/// <summary>
/// Resolves <c>-drive</c>, <c>-blockdev</c> and the block <c>-device</c>s into the disks to create:
/// which drive or node each device uses (each at most once), which socket chardev each
/// vhost-user-blk-pci connects to (taken away from the chardev servers). Pure; errors are
/// <see cref="OptionsException"/> worded as QEMU words them, prefixed by the option they are about.
/// </summary>
public static class BlockPlanner
{
    private const string ChardevPrefix = "chardev:";

    public static BlockPlan Plan(VmConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        List<(string Id, DriveSpec Spec, string Origin)> drives = ParseDrives(config.Drives);
        Dictionary<string, (BlockdevSpec Spec, string Origin)> nodes = ParseNodes(config.Blockdevs, drives);
        HashSet<string> used = [];
        foreach ((BlockdevSpec spec, string origin) in nodes.Values)
        {
            if (spec.FileNode is string child)
            {
                if (!nodes.TryGetValue(child, out var target) || target.Spec.Driver != "file")
                {
                    throw new OptionsException($"{origin}: Cannot find a driver=file node with node-name='{child}'");
                }

                if (!used.Add(child))
                {
                    throw new OptionsException($"{origin}: node '{child}' is already in use");
                }
            }
        }

        List<PlannedDisk> disks = [];
        HashSet<string> deviceIds = [];
        HashSet<string> takenChardevs = [];
        foreach (string text in config.BlockDevices)
        {
            string origin = $"-device {text}";
            BlockDeviceSpec device = Wrap(origin, () => BlockDeviceOptions.Parse(text));
            if (device.Id is string deviceId && !deviceIds.Add(deviceId))
            {
                throw new OptionsException($"{origin}: Duplicate ID '{deviceId}' for device");
            }

            PlannedDisk disk = device.Kind == BlockDeviceKind.VirtioBlk
                ? ForDrive(device, origin, drives, nodes, used)
                : ForChardev(device, origin, config, takenChardevs);
            disks.Add(disk with { NumQueues = device.NumQueues ?? 1 });
        }

        foreach ((string id, DriveSpec spec, string origin) in drives.Where(d => d.Spec.Interface == DriveInterface.Virtio))
        {
            disks.Add(new PlannedDisk(id, origin) { Image = spec.Image, Serial = spec.Serial });
        }

        List<string> others = [.. config.Chardevs.Where(text => TryParseChardev(text) is not { } spec || !takenChardevs.Contains(spec.Id))];
        return new BlockPlan(disks, others);
    }

    private static List<(string Id, DriveSpec Spec, string Origin)> ParseDrives(IReadOnlyList<string> texts)
    {
        List<(string Id, DriveSpec Spec, string Origin)> drives = [];
        int virtio = 0;
        int none = 0;
        foreach (string text in texts)
        {
            string origin = $"-drive {text}";
            DriveSpec spec = Wrap(origin, () => DriveOptions.Parse(text));
            string id = spec.Id ?? (spec.Interface == DriveInterface.Virtio ? $"virtio{virtio++}" : $"none{none++}");
            if (drives.Exists(d => d.Id == id))
            {
                throw new OptionsException($"{origin}: Duplicate ID '{id}' for drive");
            }

            drives.Add((id, spec, origin));
        }

        return drives;
    }

    private static Dictionary<string, (BlockdevSpec Spec, string Origin)> ParseNodes(IReadOnlyList<string> texts, List<(string Id, DriveSpec Spec, string Origin)> drives)
    {
        Dictionary<string, (BlockdevSpec Spec, string Origin)> nodes = new(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            string origin = $"-blockdev {text}";
            BlockdevSpec spec = Wrap(origin, () => BlockdevOptions.Parse(text));
            if (nodes.ContainsKey(spec.NodeName))
            {
                throw new OptionsException($"{origin}: Duplicate nodes with node-name='{spec.NodeName}'");
            }

            if (drives.Exists(d => d.Id == spec.NodeName))
            {
                throw new OptionsException($"{origin}: node-name={spec.NodeName} is conflicting with a device id");
            }

            nodes.Add(spec.NodeName, (spec, origin));
        }

        return nodes;
    }

    private static PlannedDisk ForDrive(
        BlockDeviceSpec device,
        string origin,
        List<(string Id, DriveSpec Spec, string Origin)> drives,
        Dictionary<string, (BlockdevSpec Spec, string Origin)> nodes,
        HashSet<string> used)
    {
        string name = device.Backend;
        DiskImage image;
        string? serial = device.Serial;
        int index = drives.FindIndex(d => d.Id == name);
        if (index >= 0)
        {
            DriveSpec drive = drives[index].Spec;
            if (drive.Interface != DriveInterface.None || !used.Add(name))
            {
                throw InUse(origin, "virtio-blk-pci.drive", name);
            }

            image = drive.Image;
            serial ??= drive.Serial;
        }
        else if (nodes.TryGetValue(name, out var node))
        {
            if (!used.Add(name))
            {
                throw InUse(origin, "virtio-blk-pci.drive", name);
            }

            image = NodeImage(node.Spec, nodes);
        }
        else
        {
            throw new OptionsException($"{origin}: Property 'virtio-blk-pci.drive' can't find value '{name}'");
        }

        return new PlannedDisk(device.Id ?? name, origin) { Image = image, Serial = serial };
    }

    private static DiskImage NodeImage(BlockdevSpec node, Dictionary<string, (BlockdevSpec Spec, string Origin)> nodes)
    {
        if (node.Driver == "file")
        {
            return new DiskImage(node.Filename ?? string.Empty, "raw", node.ReadOnly, node.DirectIo, node.DiscardUnmap);
        }

        // A format node over a file node: the file node's options count too (read-only on either side wins).
        BlockdevSpec? file = node.FileNode is string child ? nodes[child].Spec : null;
        string path = file?.Filename ?? node.Filename ?? string.Empty;
        return new DiskImage(path, node.Driver, node.ReadOnly || file?.ReadOnly == true, node.DirectIo || file?.DirectIo == true,
            node.DiscardUnmap || file?.DiscardUnmap == true);
    }

    private static PlannedDisk ForChardev(BlockDeviceSpec device, string origin, VmConfiguration config, HashSet<string> taken)
    {
        string id = device.Backend;
        ChardevSpec spec = config.Chardevs.Select(TryParseChardev).FirstOrDefault(s => s?.Id == id)
            ?? throw MalformedChardev(config) ?? new OptionsException($"{origin}: Property 'vhost-user-blk-pci.chardev' can't find value '{id}'");
        if (spec.Backend is not SocketBackendSpec { Server: false, Address: UnixSocketAddressSpec unix } socket)
        {
            throw new OptionsException($"{origin}: chardev '{id}' must be a UNIX socket that connects (socket,path=..., without server=on)");
        }

        string reference = ChardevPrefix + id;
        if (!taken.Add(id) || config.Serials.Contains(reference) || config.Monitors.Contains(reference))
        {
            throw InUse(origin, "vhost-user-blk-pci.chardev", id);
        }

        return new PlannedDisk(device.Id ?? id, origin) { SocketPath = unix.Path, Reconnect = socket.Reconnect };
    }

    /// <summary>A malformed -chardev is the chardev planner's to report, with its own wording; here it just names nothing.</summary>
    private static ChardevSpec? TryParseChardev(string text)
    {
        try
        {
            return ChardevParser.ParseChardev(text);
        }
        catch (OptionsException)
        {
            return null;
        }
    }

    /// <summary>
    /// QEMU creates the chardevs before the devices, so a malformed <c>-chardev</c> (a bad <c>reconnect=</c>, say)
    /// is reported as the chardev planner words it, not as a device naming a chardev that is not there.
    /// </summary>
    private static OptionsException? MalformedChardev(VmConfiguration config)
    {
        foreach (string text in config.Chardevs)
        {
            try
            {
                ChardevParser.ParseChardev(text);
            }
            catch (OptionsException e)
            {
                return new OptionsException($"-chardev {text}: {e.Message}");
            }
        }

        return null;
    }

    private static OptionsException InUse(string origin, string property, string value) =>
        new($"{origin}: Property '{property}' can't take value '{value}', it's in use");

    private static T Wrap<T>(string origin, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (OptionsException e)
        {
            throw new OptionsException($"{origin}: {e.Message}");
        }
    }
}
