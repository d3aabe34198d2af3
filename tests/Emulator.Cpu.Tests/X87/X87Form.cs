using Iced.Intel;

namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// One instruction form under differential test: how to emit it, how many stack registers it reads
/// (the generator sometimes supplies fewer, for stack underflow), its memory operand, and whether the
/// stored environment's pointer fields (addresses differ between host and guest) must be ignored.
/// </summary>
public sealed record X87Form(string Name, Action<Assembler> Emit, int Depth, X87OperandKind Operand = X87OperandKind.None, bool OperandHoldsEnvironment = false)
{
    public override string ToString() => Name;
}
