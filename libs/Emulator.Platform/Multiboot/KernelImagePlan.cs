namespace Emulator.Platform;

/// <summary>What loading a kernel image means: its segments (checked against the file and RAM) and its entry point.</summary>
public sealed record KernelImagePlan(IReadOnlyList<LoadSegment> Segments, uint Entry)
{
    public ulong End => Segments.Max(s => s.End);
}
