using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>One operand the generator chose: a register, the scratch buffer at [R15+disp], an address for LEA, or an immediate.</summary>
public readonly record struct SnippetOperand(OperandKind Kind, Register Register, MemoryOperand Memory, int Displacement, long Immediate)
{
    public static SnippetOperand Reg(Register register) => new(OperandKind.Register, register, default, 0, 0);

    public static SnippetOperand Scratch(int displacement) =>
        new(OperandKind.Memory, Register.None, new MemoryOperand(Register.R15, Register.None, 1, displacement, 1), displacement, 0);

    public static SnippetOperand Address(MemoryOperand memory) => new(OperandKind.Address, Register.None, memory, 0, 0);

    public static SnippetOperand Imm(OperandKind kind, long value) => new(kind, Register.None, default, 0, value);
}
