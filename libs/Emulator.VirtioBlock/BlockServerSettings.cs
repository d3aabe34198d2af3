using System.Globalization;
using Emulator.DeviceHost;

namespace Emulator.VirtioBlock;

/// <summary>emu-block's own command line, checked: which image, how to open it, how to present it.</summary>
public sealed record BlockServerSettings
{
    public required string BlockFile { get; init; }

    /// <summary>"raw" or "qcow2"; null: probe the image as QEMU does.</summary>
    public string? Format { get; init; }

    /// <summary>--cache none: O_DIRECT on the image file (the guest's write cache stays on, as in QEMU).</summary>
    public bool DirectIo { get; init; }

    /// <summary>
    /// --repair-leaks: repair leaked qcow2 clusters before serving (qemu-img check -r leaks). The emulator
    /// passes it to the server it starts after one died, which may have left clusters allocated but unused.
    /// </summary>
    public bool RepairLeaks { get; init; }

    public required BlockDeviceSettings Device { get; init; }

    /// <summary>The server's definition: name, capabilities, and the options it adds to the common ones.</summary>
    public static DeviceServerDefinition Definition { get; } = new(
        "emu-block",
        "block",
        features: ["read-only", "flush", "discard", "write-zeroes", "multi-queue", "inflight", "raw", "qcow2"],
        options:
        [
            new ServerOption("blk-file", "FILE", "the disk image to serve", Required: true),
            new ServerOption("format", "raw|qcow2", "the image format (default: probed, as QEMU does)"),
            new ServerOption("read-only", null, "open the image read-only; guest writes fail with an I/O error"),
            new ServerOption("serial", "ID", "the drive's serial number (GET_ID), at most 20 characters"),
            new ServerOption("cache", "none|writeback", "none: O_DIRECT on the image (default writeback)"),
            new ServerOption("discard", "unmap|ignore", "unmap: guest discards free space in the image (default ignore)"),
            new ServerOption("repair-leaks", null, "repair leaked qcow2 clusters before serving (after a crash of the last writer)"),
            new ServerOption("num-queues", "N", $"request queues, 1..{BlockDeviceSettings.MaxQueues} (default 1)"),
        ],
        description: "virtio-blk device server over vhost-user: raw and qcow2 images.");

    /// <summary>Throws <see cref="DeviceServerUsageException"/> for a bad value.</summary>
    public static BlockServerSettings Parse(DeviceServerArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string file = args.GetRequired("blk-file");
        if (file.Length == 0)
        {
            throw new DeviceServerUsageException("option '--blk-file' needs a file name");
        }

        string? format = args.Get("format");
        if (format is not null and not "raw" and not "qcow2")
        {
            throw new DeviceServerUsageException($"--format '{format}': expected raw or qcow2");
        }

        bool directIo = args.Get("cache") switch
        {
            null or "writeback" => false,
            "none" => true,
            string other => throw new DeviceServerUsageException($"--cache '{other}': expected none or writeback"),
        };
        bool unmap = args.Get("discard") switch
        {
            null or "ignore" => false,
            "unmap" => true,
            string other => throw new DeviceServerUsageException($"--discard '{other}': expected unmap or ignore"),
        };

        int queues = 1;
        if (args.Get("num-queues") is string q
            && (!int.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out queues) || queues is < 1 or > BlockDeviceSettings.MaxQueues))
        {
            throw new DeviceServerUsageException($"--num-queues '{q}': expected a number in 1..{BlockDeviceSettings.MaxQueues}");
        }

        var device = new BlockDeviceSettings
        {
            ReadOnly = args.Has("read-only"),
            Serial = args.Get("serial") ?? string.Empty,
            NumQueues = queues,
            DiscardUnmap = unmap,
        };
        try
        {
            device.Validate();
        }
        catch (ArgumentException e)
        {
            throw new DeviceServerUsageException(e.Message);
        }

        return new BlockServerSettings { BlockFile = file, Format = format, DirectIo = directIo, RepairLeaks = args.Has("repair-leaks"), Device = device };
    }
}
