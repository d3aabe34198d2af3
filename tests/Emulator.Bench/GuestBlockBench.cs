using System.Diagnostics;
using System.Globalization;

namespace Emulator.Bench;

/// <summary>
/// The guest half of <c>--block</c>: boots the default guest with fio (initrd + fio archive, concatenated)
/// and a raw image on virtio-blk, under QEMU TCG (in-process virtio-blk) and under ours (emu-block), one
/// after the other, and collects what <see cref="BlockGuestScript"/>'s fio jobs measured.
/// </summary>
public static class GuestBlockBench
{
    /// <summary>The same for both: the host page cache holds the image (QEMU's default, and emu-block's).</summary>
    public const string Cache = "writeback";

    /// <summary>One row per <see cref="BlockGuestScript.Jobs"/> entry; false if a boot or a job failed.</summary>
    public static bool Run(BlockBenchOptions options, bool qemu, string directory, string image, List<BlockFigure> figures, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(figures);
        string initrd = Path.Combine(directory, "initrd-fio.gz");
        using (FileStream combined = File.Create(initrd))
        {
            foreach (string part in new[] { options.Initrd, options.FioCpio })
            {
                using FileStream input = File.OpenRead(part);
                input.CopyTo(combined);
            }
        }

        string drive = $"file={image},format=raw,if=virtio,cache={Cache}";
        string[] common =
        [
            "-m", options.MemoryMiB.ToString(CultureInfo.InvariantCulture),
            "-kernel", options.Kernel, "-initrd", initrd, "-append", BlockGuestScript.Append,
            "-nographic", "-no-reboot", "-drive", drive,
        ];
        BootResult? theirs = qemu ? Boot("qemu", QemuLoopRunner.Program, ["-accel", "tcg", "-no-user-config", .. common], options, directory, log) : null;
        BootResult ours = Boot("ours", options.Emu, common, options, directory, log);
        foreach (BlockGuestJob job in BlockGuestScript.Jobs)
        {
            figures.Add(new BlockFigure(job.Label, job.Value(Figures(theirs, job)), job.Value(Figures(ours, job))));
        }

        return ours.Problem is null && theirs?.Problem is null && figures.All(f => f.Ours is not null && (f.Qemu is not null || !qemu));
    }

    private static FioFigures? Figures(BootResult? boot, BlockGuestJob job) =>
        boot is not null && boot.Outputs.TryGetValue(job.Name, out string? text) ? FioFigures.Parse(text) : null;

    private static BootResult Boot(string name, string program, IReadOnlyList<string> arguments, BlockBenchOptions options, string directory, TextWriter log)
    {
        string console = Path.Combine(directory, $"{name}.log");
        log.WriteLine($"bench --block: booting under {name}, console in {console}");
        long start = Stopwatch.GetTimestamp();
        BootResult result = GuestBoot.Run(program, arguments, options.Timeout, console, (marker, wall) =>
        {
            if (marker.Kind is ConsoleEventKind.Ready or ConsoleEventKind.Output or ConsoleEventKind.Fail or ConsoleEventKind.Exit)
            {
                log.WriteLine($"bench --block: {name} at {wall:F0} s: {marker.Kind} {marker.Name} {marker.Text}");
            }
        });
        log.WriteLine($"bench --block: {name} done in {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s" + (result.Problem is null ? "" : $": {result.Problem}"));
        return result;
    }
}
