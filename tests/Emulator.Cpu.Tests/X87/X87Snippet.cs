using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// Builds the snippet: OF cleared and SAHF from the block, FRSTOR the input image, the instruction under test (its memory
/// operand at [RDI + <see cref="X87Block.Operand"/>]), FNSAVE the output image, record RFLAGS, RET.
/// Only no-wait instructions follow the test instruction, so a pending exception never traps.
/// </summary>
public static class X87Snippet
{
    public static byte[] Build(Action<Assembler> instruction)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        var a = new Assembler(64);
        a.frstor(__[rdi + X87Block.Input]);

        // SAHF sets SF ZF AF PF CF but not OF, which would otherwise be whatever the caller's code left:
        // XOR clears it first, so the recorded flags depend only on the block (as the interpreter's do).
        a.xor(eax, eax);
        a.mov(ah, __byte_ptr[rdi + X87Block.FlagsIn]);
        a.sahf();
        instruction(a);
        a.pushfq();
        a.pop(rax);
        a.mov(__qword_ptr[rdi + X87Block.FlagsOut], rax);
        a.fnsave(__[rdi + X87Block.Output]);
        a.ret();
        using var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), 0);
        return stream.ToArray();
    }

    /// <summary>The operand [RDI + Operand] of the given size, for the instruction lambdas.</summary>
    public static AssemblerMemoryOperand Dword => __dword_ptr[rdi + X87Block.Operand];

    public static AssemblerMemoryOperand Qword => __qword_ptr[rdi + X87Block.Operand];

    public static AssemblerMemoryOperand Tword => __tword_ptr[rdi + X87Block.Operand];

    public static AssemblerMemoryOperand Word => __word_ptr[rdi + X87Block.Operand];
}
