using System.Collections.Frozen;
using Emulator.GdbStub;
using Emulator.Options;
using Emulator.Platform;

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
        FrozenSet.Create(StringComparer.Ordinal, "m", "chardev", "serial", "monitor", "mon", "display", "name",
            "bios", "kernel", "append", "initrd", "debugcon", "device", "d", "D", "gdb", "drive", "blockdev",
            "M", "machine", "accel");

    private static readonly FrozenSet<string> FlagOptions =
        FrozenSet.Create(StringComparer.Ordinal, "nographic", "S", "version", "h", "help", "no-reboot", "no-shutdown", "s");

    public static CommandLineResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        VmConfiguration config = new();
        List<string> chardevs = [];
        List<string?> serials = [];
        List<string> monitors = [];
        List<PortRange> debugExits = [];
        List<string> drives = [];
        List<string> blockdevs = [];
        List<string> blockDevices = [];
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
                    case "no-reboot":
                        config = config with { NoReboot = true };
                        break;
                    case "no-shutdown":
                        config = config with { NoShutdown = true };
                        break;
                    case "s":
                        config = config with { Gdb = GdbEndpoint.Default };
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
                case "bios":
                    config = config with { Bios = value };
                    break;
                case "kernel":
                    config = config with { Kernel = value };
                    break;
                case "append":
                    config = config with { Append = value };
                    break;
                case "initrd":
                    config = config with { Initrd = value };
                    break;
                case "debugcon":
                    config = config with { Debugcon = value == "none" ? null : value };
                    break;
                case "device":
                    if (DeviceOptions.IsHelpRequest(value))
                    {
                        return CommandLineResult.Print(BlockDeviceOptions.HelpText + "\n" + DeviceOptions.HelpText);
                    }

                    if (BlockDeviceOptions.IsBlockDevice(value))
                    {
                        blockDevices.Add(value);
                        break;
                    }

                    debugExits.Add(DeviceOptions.ParseIsaDebugExit(value));
                    break;
                case "d":
                    if (value is "help" or "?")
                    {
                        return CommandLineResult.Print(LogItems.HelpText);
                    }

                    config = config with { LogItems = LogItems.Parse(value) };
                    break;
                case "D":
                    config = config with { LogFile = value };
                    break;
                case "gdb":
                    config = config with { Gdb = ParseGdb(value) };
                    break;
                case "M" or "machine":
                    if (MachineOptions.IsHelpRequest(value))
                    {
                        return CommandLineResult.Print(MachineOptions.HelpText);
                    }

                    MachineOptions.ParseMachine(value);
                    break;
                case "accel":
                    if (MachineOptions.IsHelpRequest(value))
                    {
                        return CommandLineResult.Print(MachineOptions.AccelHelpText);
                    }

                    MachineOptions.ParseAccel(value);
                    break;
                case "drive":
                    drives.Add(value);
                    break;
                case "blockdev":
                    blockdevs.Add(value);
                    break;
            }
        }

        if (config.Kernel is null && config.Append is not null)
        {
            throw new OptionsException("-append only allowed with -kernel option");
        }

        if (config.Kernel is null && config.Initrd is not null)
        {
            throw new OptionsException("-initrd only allowed with -kernel option");
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

        return CommandLineResult.Run(config with { Chardevs = chardevs, Serials = serials, Monitors = monitors, DebugExitDevices = debugExits,
            Drives = drives, Blockdevs = blockdevs, BlockDevices = blockDevices });
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

    /// <summary>QEMU's <c>-gdb dev</c>: <c>tcp:[HOST]:PORT</c> or a bare port; <c>none</c> turns the stub off.</summary>
    private static GdbEndpoint? ParseGdb(string value)
    {
        if (value == "none")
        {
            return null;
        }

        return GdbEndpoint.TryParse(value, out GdbEndpoint endpoint, out string error) ? endpoint : throw new OptionsException($"-gdb {value}: {error}");
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
        -M pc           the machine (the only one: Standard PC, i440FX + PIIX; -M help)
        -accel tcg      the accelerator (the only one: emu's own interpreter)
        -m [size=]megs[M|G]
                        configure guest RAM (default 128 MiB)
        -name string    set the name of the guest
        -S              freeze the CPU at startup (use 'c' in the monitor or continue in gdb)

        Display options:
        -display none   no display
        -nographic      no display; serial port and monitor on stdio (muxed: Ctrl-a h for help)

        Boot options:
        -bios file      the firmware image (a multiple of 64 KiB, mapped to end at 4 GiB)
        -kernel file    a Linux bzImage, a PVH ELF vmlinux or a multiboot kernel, started without firmware
        -append cmdline the kernel's command line
        -initrd file    Linux's initial ramdisk; for multiboot: "file1 args,file2" modules (",," for a literal comma)
        -no-reboot      exit instead of rebooting on a guest reset (reset request or triple fault)
        -no-shutdown    stop the VM instead of exiting on a guest shutdown

        Block devices:
        -drive file=F[,format=raw|qcow2][,if=virtio|none][,id=ID][,readonly=on]
               [,cache=none|writeback][,discard=unmap|ignore][,serial=S]
                        a disk image served by an emu-block process (if=virtio: with its device)
        -blockdev driver=raw|qcow2,node-name=N,file.driver=file,file.filename=F[,read-only=on]
        -blockdev driver=file,node-name=N,filename=F
                        a block node for -device virtio-blk-pci,drive=N
        -device virtio-blk-pci,drive=ID[,serial=S][,num-queues=K]
        -device vhost-user-blk-pci,chardev=ID[,num-queues=K]
                        a disk served by a vhost-user-blk server on a socket chardev

        Devices and debugging:
        -device isa-debug-exit[,iobase=0xf4][,iosize=0x04]
                        a write of V to the ports exits with status (V << 1) | 1
        -debugcon dev   the debug console at port 0xe9: file:path, stdio, null or none
        -d item1,...    log items (-d help lists them)
        -D logfile      write the -d log to logfile instead of stderr
        -gdb tcp:[host]:port
                        wait for a gdb connection on the port (none: no stub)
        -s              shorthand for -gdb tcp::1234

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
