using Emulator.Chardev;

namespace Emulator.Vmm.Chardev;

/// <summary>One chardev to serve (one <c>emu-chardev</c> process) and the front-ends that share it, in stream order.</summary>
public sealed record PlannedChardev(ChardevSpec Spec, IReadOnlyList<PlannedFrontEnd> FrontEnds)
{
    /// <summary>
    /// The option that created it, as QEMU names the location of an error: <c>-chardev TEXT</c>,
    /// <c>-serial TEXT</c> or <c>-monitor TEXT</c>; null when it was not given on a command line.
    /// </summary>
    public string? Origin { get; init; }

    /// <summary>What the server is told with <c>--frontends</c>: at least one slot even when nothing uses the chardev yet.</summary>
    public int StreamSlots => Math.Max(1, FrontEnds.Count);
}
