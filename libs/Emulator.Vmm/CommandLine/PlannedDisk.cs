using System.Globalization;

namespace Emulator.Vmm.CommandLine;

/// <summary>
/// One virtio-blk-pci function to create: either an image an <c>emu-block</c> the emulator starts
/// serves (<see cref="Image"/>), or a vhost-user-blk server someone else started (<see cref="SocketPath"/>).
/// </summary>
/// <param name="Id">The device's id (its <c>id=</c>, else its drive's or chardev's).</param>
/// <param name="Origin">The option that asked for it, as errors name it (<c>-drive TEXT</c>).</param>
public sealed record PlannedDisk(string Id, string Origin)
{
    public DiskImage? Image { get; init; }

    public string? SocketPath { get; init; }

    /// <summary>
    /// The chardev's <c>reconnect=</c> for <see cref="SocketPath"/>: how long to wait between attempts to reach
    /// the server, at start and after it went away (QEMU's reconnecting client socket); null: no second attempt.
    /// </summary>
    public TimeSpan? Reconnect { get; init; }

    public string? Serial { get; init; }

    public int NumQueues { get; init; } = 1;

    /// <summary>emu-block's own arguments for <see cref="Image"/> (the manager adds --fd and --parent-pid).</summary>
    public IReadOnlyList<string> ServerArguments()
    {
        DiskImage image = Image ?? throw new InvalidOperationException($"disk '{Id}' is served by someone else");
        List<string> args = ["--blk-file", image.File];
        if (image.Format is string format)
        {
            args.AddRange(["--format", format]);
        }

        if (image.ReadOnly)
        {
            args.Add("--read-only");
        }

        if (Serial is string serial)
        {
            args.AddRange(["--serial", serial]);
        }

        args.AddRange(["--cache", image.DirectIo ? "none" : "writeback", "--discard", image.DiscardUnmap ? "unmap" : "ignore"]);
        args.AddRange(["--num-queues", NumQueues.ToString(CultureInfo.InvariantCulture)]);
        return args;
    }
}
