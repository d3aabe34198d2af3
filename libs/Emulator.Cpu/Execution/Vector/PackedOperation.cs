namespace Emulator.Cpu;

/// <summary>
/// One packed operation on the destination's bytes (in: first operand, out: result) and the source's
/// bytes, over <c>width</c> bytes (8 for MMX, 16 for XMM); <c>immediate</c> is the imm8 where the form has one.
/// </summary>
public delegate void PackedOperation(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate);
