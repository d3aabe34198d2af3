using System.Globalization;

namespace Emulator.Bench;

/// <summary>
/// The <c>--linux</c> part's command line: <c>--kernel VMLINUX --initrd INITRD [--emu PATH] [--runs N]
/// [--memory MIB] [--timeout SECONDS] [--no-qemu]</c>.
/// </summary>
public sealed record LinuxBenchOptions
{
    public const string Usage =
        "Emulator.Bench --linux --kernel VMLINUX --initrd INITRD [--emu bin/emu] [--runs N] [--memory MIB] [--timeout SECONDS] [--no-qemu]";

    public required string Kernel { get; init; }

    public required string Initrd { get; init; }

    public string Emu { get; init; } = "bin/emu";

    public int Runs { get; init; } = 1;

    public int MemoryMiB { get; init; } = 512;

    /// <summary>Per boot: ours needs ~8 CPU-minutes for the whole script, and over 25 wall-minutes on a loaded 2-core machine.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(60);

    public bool WithQemu { get; init; } = true;

    /// <summary>The options for <paramref name="args"/> (after <c>--linux</c>), or null with the reason in <paramref name="error"/>.</summary>
    public static LinuxBenchOptions? Parse(IReadOnlyList<string> args, out string error)
    {
        string? kernel = null, initrd = null, emu = null;
        int runs = 1, memory = 512, timeout = 60 * 60;
        bool qemu = true;
        error = "";
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--no-qemu")
            {
                qemu = false;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                error = arg.StartsWith("--", StringComparison.Ordinal) ? $"{arg} needs a value" : $"unexpected argument '{arg}'";
                return null;
            }

            string value = args[++i];
            bool ok = arg switch
            {
                "--kernel" => Set(ref kernel, value),
                "--initrd" => Set(ref initrd, value),
                "--emu" => Set(ref emu, value),
                "--runs" => Number(value, 1, 50, ref runs),
                "--memory" => Number(value, 64, 65536, ref memory),
                "--timeout" => Number(value, 10, 24 * 3600, ref timeout),
                _ => false,
            };
            if (!ok)
            {
                error = $"bad option '{arg} {value}'";
                return null;
            }
        }

        if (kernel is null || initrd is null)
        {
            error = "--kernel and --initrd are required (scripts/guest/build.sh prints VMLINUX= and INITRD=)";
            return null;
        }

        return new LinuxBenchOptions
        {
            Kernel = kernel,
            Initrd = initrd,
            Emu = emu ?? "bin/emu",
            Runs = runs,
            MemoryMiB = memory,
            Timeout = TimeSpan.FromSeconds(timeout),
            WithQemu = qemu,
        };
    }

    private static bool Set(ref string? field, string value)
    {
        field = value;
        return value.Length > 0;
    }

    private static bool Number(string text, int min, int max, ref int field)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            return false;
        }

        field = value;
        return true;
    }
}
