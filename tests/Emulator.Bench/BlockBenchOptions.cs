using System.Globalization;

namespace Emulator.Bench;

/// <summary>
/// The <c>--block</c> part's command line: <c>--kernel VMLINUX --initrd INITRD --fio-cpio FIO_CPIO_GZ
/// [--emu bin/emu] [--emu-block bin/emu-block] [--memory MIB] [--timeout SECONDS] [--no-qemu] [--no-guest] [--no-host]</c>.
/// The kernel, initrd and fio archive are needed only for the guest half.
/// </summary>
public sealed record BlockBenchOptions
{
    public const string Usage =
        "Emulator.Bench --block --kernel VMLINUX --initrd INITRD --fio-cpio FIO_CPIO_GZ [--emu bin/emu] [--emu-block bin/emu-block] "
        + "[--memory MIB] [--timeout SECONDS] [--no-qemu] [--no-guest] [--no-host]";

    public string Kernel { get; init; } = "";

    public string Initrd { get; init; } = "";

    /// <summary>scripts/guest/fio-initrd.sh's archive, appended to the initrd (Linux unpacks concatenated cpio archives).</summary>
    public string FioCpio { get; init; } = "";

    public string Emu { get; init; } = "bin/emu";

    public string EmuBlock { get; init; } = "bin/emu-block";

    public int MemoryMiB { get; init; } = 512;

    /// <summary>Per boot: ours takes a few minutes to boot on a loaded machine, then ~30 s of fio runtime.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    public bool WithQemu { get; init; } = true;

    public bool Guest { get; init; } = true;

    public bool Host { get; init; } = true;

    /// <summary>The options for <paramref name="args"/> (after <c>--block</c>), or null with the reason in <paramref name="error"/>.</summary>
    public static BlockBenchOptions? Parse(IReadOnlyList<string> args, out string error)
    {
        var values = new Dictionary<string, string>();
        int memory = 512, timeout = 30 * 60;
        bool qemu = true, guest = true, host = true;
        error = "";
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--no-qemu":
                    qemu = false;
                    continue;
                case "--no-guest":
                    guest = false;
                    continue;
                case "--no-host":
                    host = false;
                    continue;
                default:
                    break;
            }

            if (i + 1 >= args.Count)
            {
                error = arg.StartsWith("--", StringComparison.Ordinal) ? $"{arg} needs a value" : $"unexpected argument '{arg}'";
                return null;
            }

            string value = args[++i];
            bool ok = arg switch
            {
                "--kernel" or "--initrd" or "--fio-cpio" or "--emu" or "--emu-block" => value.Length > 0 && values.TryAdd(arg, value),
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

        if (!guest && !host)
        {
            error = "--no-guest and --no-host leave nothing to measure";
            return null;
        }

        if (guest && !(values.ContainsKey("--kernel") && values.ContainsKey("--initrd") && values.ContainsKey("--fio-cpio")))
        {
            error = "the guest half needs --kernel, --initrd (scripts/guest/build.sh) and --fio-cpio (scripts/guest/fio-initrd.sh)";
            return null;
        }

        return new BlockBenchOptions
        {
            Kernel = values.GetValueOrDefault("--kernel", ""),
            Initrd = values.GetValueOrDefault("--initrd", ""),
            FioCpio = values.GetValueOrDefault("--fio-cpio", ""),
            Emu = values.GetValueOrDefault("--emu", "bin/emu"),
            EmuBlock = values.GetValueOrDefault("--emu-block", "bin/emu-block"),
            MemoryMiB = memory,
            Timeout = TimeSpan.FromSeconds(timeout),
            WithQemu = qemu,
            Guest = guest,
            Host = host,
        };
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
