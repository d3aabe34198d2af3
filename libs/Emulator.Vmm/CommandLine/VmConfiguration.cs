using Emulator.GdbStub;
using Emulator.Platform;

namespace Emulator.Vmm.CommandLine;

/// <summary>
/// What the emulator's command line asked for, before anything is started. Chardev strings stay
/// in QEMU's text form here; the chardev library parses them when the servers are started.
/// </summary>
public sealed record VmConfiguration
{
    /// <summary>QEMU's default guest RAM.</summary>
    public const ulong DefaultMemorySize = 128UL << 20;

    public ulong MemorySize { get; init; } = DefaultMemorySize;

    public string? Name { get; init; }

    /// <summary><c>-chardev</c> strings in command-line order.</summary>
    public IReadOnlyList<string> Chardevs { get; init; } = [];

    /// <summary>
    /// One entry per COM port, in order: a <c>-serial</c> value (shorthand or <c>chardev:ID</c>), or null
    /// for <c>-serial none</c>, which leaves that port without a device but keeps the next value on the next port.
    /// </summary>
    public IReadOnlyList<string?> Serials { get; init; } = [];

    /// <summary>Monitors: <c>-monitor</c> shorthand values, or <c>chardev:ID</c> from <c>-mon chardev=ID</c>.</summary>
    public IReadOnlyList<string> Monitors { get; init; } = [];

    public bool NoGraphic { get; init; }

    public string Display { get; init; } = "none";

    /// <summary><c>-S</c>: stay paused until <c>cont</c>.</summary>
    public bool StartPaused { get; init; }

    /// <summary><c>-bios FILE</c>: the firmware image mapped below 4 GiB.</summary>
    public string? Bios { get; init; }

    /// <summary><c>-kernel FILE</c>: a multiboot kernel loaded without firmware.</summary>
    public string? Kernel { get; init; }

    /// <summary><c>-append</c>: the kernel's command line (only with <c>-kernel</c>).</summary>
    public string? Append { get; init; }

    /// <summary><c>-initrd</c>: multiboot modules, "file args" items separated by commas (only with <c>-kernel</c>).</summary>
    public string? Initrd { get; init; }

    /// <summary><c>-debugcon</c>: where port E9h's bytes go (QEMU's chardev shorthand); null for no debug console.</summary>
    public string? Debugcon { get; init; }

    /// <summary>The port ranges of each <c>-device isa-debug-exit</c>.</summary>
    public IReadOnlyList<PortRange> DebugExitDevices { get; init; } = [];

    /// <summary><c>-no-reboot</c>: a guest reset (triple fault) exits instead.</summary>
    public bool NoReboot { get; init; }

    /// <summary><c>-no-shutdown</c>: a guest shutdown stops the VM instead of exiting (isa-debug-exit still exits, as in QEMU).</summary>
    public bool NoShutdown { get; init; }

    /// <summary><c>-d item,...</c>: the log items asked for (see <c>LogItems</c>).</summary>
    public IReadOnlyList<string> LogItems { get; init; } = [];

    /// <summary><c>-gdb dev</c> / <c>-s</c>: where the gdb stub listens; null for no stub.</summary>
    public GdbEndpoint? Gdb { get; init; }

    /// <summary><c>-D file</c>: where <c>-d</c> output goes instead of stderr.</summary>
    public string? LogFile { get; init; }

    /// <summary><c>-drive</c> strings in command-line order (see <c>BlockPlanner</c>).</summary>
    public IReadOnlyList<string> Drives { get; init; } = [];

    /// <summary><c>-blockdev</c> strings in command-line order.</summary>
    public IReadOnlyList<string> Blockdevs { get; init; } = [];

    /// <summary>The block <c>-device</c> strings (virtio-blk-pci, vhost-user-blk-pci) in command-line order.</summary>
    public IReadOnlyList<string> BlockDevices { get; init; } = [];
}
