using System.Diagnostics;
using System.Globalization;

namespace Emulator.Bench;

/// <summary>
/// `make bench`, Linux part (<c>--linux</c>): boots the default guest (PVH vmlinux + busybox initramfs)
/// under QEMU TCG and under ours, one after the other, and prints boot-to-ready time and the in-guest
/// timings of <see cref="GuestScript"/> with ours/QEMU ratios, each next to the host CPU time the
/// emulator's process tree spent on it (the steadier figure on a shared machine). Medians over --runs.
/// </summary>
public static class LinuxBootBench
{
    private const string Ours = "ours";
    private const string Qemu = "qemu";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter log)
    {
        LinuxBenchOptions? options = LinuxBenchOptions.Parse(args, out string error);
        if (options is null)
        {
            log.WriteLine($"bench --linux: {error}");
            log.WriteLine($"usage: {LinuxBenchOptions.Usage}");
            return 1;
        }

        foreach (string file in new[] { options.Kernel, options.Initrd, options.Emu })
        {
            if (!File.Exists(file))
            {
                log.WriteLine($"bench --linux: {file} does not exist (make build; scripts/guest/build.sh)");
                return 1;
            }
        }

        bool qemu = options.WithQemu && QemuLoopRunner.IsAvailable();
        string load = LoadAverage.OneMinute();
        string directory = Directory.CreateTempSubdirectory("emu-linux-bench-").FullName;
        var results = new Dictionary<string, List<BootResult>> { [Ours] = [], [Qemu] = [] };
        for (int run = 1; run <= options.Runs; run++)
        {
            if (qemu)
            {
                results[Qemu].Add(Boot(Qemu, QemuLoopRunner.Program, QemuArguments(options), options, directory, run, log));
            }

            results[Ours].Add(Boot(Ours, options.Emu, OurArguments(options), options, directory, run, log));
        }

        output.WriteLine();
        output.WriteLine($"Linux guest: {Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(options.Kernel)))} PVH vmlinux + busybox initramfs, -m {options.MemoryMiB}; "
            + $"{(qemu ? QemuVersion() + " TCG" : "QEMU not run")} vs ours; {options.Runs} boot(s) each, medians; "
            + $"{Environment.ProcessorCount} cores, 1-min load average {load} at start");
        output.WriteLine("  wall: host seconds to the marker for boot and total; in-guest /proc/uptime seconds (10 ms) for the items");
        output.WriteLine("  CPU: host CPU seconds (user+system) of the emulator's process tree over the same span");
        output.WriteLine($"  consoles: {directory}");
        LinuxBenchTable.Print(output, results[Ours], qemu ? results[Qemu] : []);
        return results.Values.Any(boots => boots.Any(b => b.Problem is not null)) ? 1 : 0;
    }

    private static BootResult Boot(string name, string program, IReadOnlyList<string> arguments, LinuxBenchOptions options, string directory, int run, TextWriter log)
    {
        string console = Path.Combine(directory, $"{name}-{run}.log");
        log.WriteLine($"bench --linux: booting under {name} (run {run}/{options.Runs}), console in {console}");
        long start = Stopwatch.GetTimestamp();
        BootResult result = GuestBoot.Run(program, arguments, options.Timeout, console, (marker, wall) =>
        {
            if (marker.Kind is ConsoleEventKind.Ready or ConsoleEventKind.Time or ConsoleEventKind.Exit)
            {
                log.WriteLine($"bench --linux: {name} at {wall:F0} s: {marker.Kind} {marker.Name} {(marker.Kind == ConsoleEventKind.Time ? $"{marker.Seconds:F2} s" : marker.Text)}");
            }
        });
        log.WriteLine($"bench --linux: {name} done in {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s" + (result.Problem is null ? "" : $": {result.Problem}"));
        return result;
    }

    private static string[] CommonArguments(LinuxBenchOptions options) =>
    [
        "-m", options.MemoryMiB.ToString(CultureInfo.InvariantCulture),
        "-kernel", options.Kernel, "-initrd", options.Initrd, "-append", GuestScript.Append,
        "-nographic", "-no-reboot",
    ];

    private static string[] QemuArguments(LinuxBenchOptions options) => ["-accel", "tcg", "-no-user-config", .. CommonArguments(options)];

    private static string[] OurArguments(LinuxBenchOptions options) => CommonArguments(options);

    private static string QemuVersion()
    {
        var info = new ProcessStartInfo(QemuLoopRunner.Program, "--version") { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process? process = Process.Start(info);
        if (process is null)
        {
            return "QEMU";
        }

        string first = process.StandardOutput.ReadLine() ?? "";
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        int at = first.IndexOf("version ", StringComparison.Ordinal);
        return at < 0 ? "QEMU" : "QEMU " + first[(at + "version ".Length)..].Split(' ')[0];
    }
}
