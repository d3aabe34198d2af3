using System.Collections.Frozen;
using Emulator.Options;

namespace Emulator.Vmm.CommandLine;

/// <summary>
/// The emulator's command line in QEMU's grammar (<c>-opt value</c>, also <c>--opt</c>), with
/// QEMU's defaults: <c>-nographic</c> puts serial0 and the monitor on stdio (muxed when neither
/// was given). Pure; errors are <see cref="OptionsException"/> worded as QEMU words them.
/// </summary>
public static class EmulatorCommandLine
{
    public const string Version = "0.1.0";

    private static readonly FrozenSet<string> ValueOptions =
        FrozenSet.Create(StringComparer.Ordinal, "m", "chardev", "serial", "monitor", "mon", "display", "name");

    private static readonly FrozenSet<string> FlagOptions =
        FrozenSet.Create(StringComparer.Ordinal, "nographic", "S", "version", "h", "help");

    public static CommandLineResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        VmConfiguration config = new();
        List<string> chardevs = [];
        List<string?> serials = [];
        List<string> monitors = [];
        bool serialGiven = false;
        bool monitorGiven = false;

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                throw new OptionsException($"{arg}: invalid option");
            }

            string name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
            if (FlagOptions.Contains(name))
            {
                switch (name)
                {
                    case "nographic":
                        config = config with { NoGraphic = true, Display = "none" };
                        break;
                    case "S":
                        config = config with { StartPaused = true };
                        break;
                    case "version":
                        return CommandLineResult.Print($"emu version {Version}\n");
                    default:
                        return CommandLineResult.Print(Usage);
                }

                continue;
            }

            if (!ValueOptions.Contains(name))
            {
                throw new OptionsException($"{arg}: invalid option");
            }

            if (i + 1 >= args.Count)
            {
                throw new OptionsException($"{arg}: requires an argument");
            }

            string value = args[++i];
            switch (name)
            {
                case "m":
                    config = config with { MemorySize = ParseMemory(value) };
                    break;
                case "chardev":
                    chardevs.Add(value);
                    break;
                case "serial":
                    serialGiven = true;

                    // "none" leaves its COM port empty but still takes its place, so -serial none
                    // -serial stdio puts stdio on COM2 (QEMU since commit d2019a9d, in 7.2.10 and 8.2.2).
                    serials.Add(value == "none" ? null : value);
                    break;
                case "monitor":
                    monitorGiven = true;
                    if (value != "none")
                    {
                        monitors.Add(value);
                    }

                    break;
                case "mon":
                    monitorGiven = true;
                    monitors.Add(ParseMon(value));
                    break;
                case "display":
                    config = config with { Display = ParseDisplay(value) };
                    break;
                case "name":
                    config = config with { Name = KeyValueOptions.Parse(value, "guest").GetRequired("guest") };
                    break;
            }
        }

        if (serials.Count > 4)
        {
            throw new OptionsException("Maximum number of serial devices reached (4)");
        }

        if (config.NoGraphic && !serialGiven && !monitorGiven)
        {
            serials.Add("mon:stdio");
        }
        else if (config.NoGraphic)
        {
            if (!serialGiven)
            {
                serials.Add("stdio");
            }

            if (!monitorGiven)
            {
                monitors.Add("stdio");
            }
        }

        return CommandLineResult.Run(config with { Chardevs = chardevs, Serials = serials, Monitors = monitors });
    }

    /// <summary><c>-m 512</c>, <c>-m 1G</c>, <c>-m size=1G</c>: a bare number is MiB, as in QEMU.</summary>
    private static ulong ParseMemory(string value)
    {
        KeyValueOptions o = KeyValueOptions.Parse(value, "size");
        ulong size = o.GetSize("size", VmConfiguration.DefaultMemorySize, defaultUnit: 1UL << 20);
        o.ThrowOnUnused();
        if (size < (2UL << 20))
        {
            throw new OptionsException($"-m {value}: at least 2 MiB of RAM is needed");
        }

        if (size > (1UL << 40))
        {
            throw new OptionsException($"-m {value}: ram size too large");
        }

        return size;
    }

    private static string ParseMon(string value)
    {
        KeyValueOptions o = KeyValueOptions.Parse(value, "chardev");
        string id = o.GetRequired("chardev");
        string mode = o.Get("mode") ?? "readline";
        if (mode != "readline")
        {
            throw new OptionsException($"-mon {value}: only mode=readline (HMP) is available");
        }

        o.ThrowOnUnused();
        return "chardev:" + id;
    }

    private static string ParseDisplay(string value)
    {
        KeyValueOptions o = KeyValueOptions.Parse(value, "type");
        string type = o.GetRequired("type");
        o.ThrowOnUnused();
        return type == "none" ? type : throw new OptionsException($"Display '{type}' is not available");
    }

    private const string Usage = """
        usage: emu [options]

        Standard options:
        -h or -help     display this help and exit
        -version        display version information and exit
        -m [size=]megs[M|G]
                        configure guest RAM (default 128 MiB)
        -name string    set the name of the guest
        -S              freeze the CPU at startup (use 'c' in the monitor to start)

        Display options:
        -display none   no display
        -nographic      no display; serial port and monitor on stdio (muxed: Ctrl-a h for help)

        Character devices:
        -chardev backend,id=id[,...]
                        backends: null, stdio, file, socket, pty (QEMU's options)
        -serial dev     redirect the next serial port to dev: stdio, mon:stdio, file:path,
                        unix:path[,server=on,wait=off], tcp:[host]:port[,server=on,wait=off],
                        pty, null, none, chardev:id
        -monitor dev    the human monitor on dev (same syntax as -serial)
        -mon chardev=id[,mode=readline]

        """;
}
