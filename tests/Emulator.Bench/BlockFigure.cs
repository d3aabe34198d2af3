namespace Emulator.Bench;

/// <summary>One line of the block bench's table: the same figure under QEMU and under ours (null: not measured).</summary>
public sealed record BlockFigure(string Label, double? Qemu, double? Ours);
