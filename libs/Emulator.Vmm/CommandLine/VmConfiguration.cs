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
}
