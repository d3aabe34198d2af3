using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using static Emulator.Cpu.RflagsBits;

namespace Emulator.Cpu.Tests.Execution;

public sealed class MultiplyDivideTests
{
    [Fact]
    public void MulWidensIntoRdxRax()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rax, -1);
            asm.mov(rbx, 2);
            asm.mul(rbx);
        });
        Assert.Equal(1ul, m[GeneralRegister.Rdx]);
        Assert.Equal(0xFFFF_FFFF_FFFF_FFFEul, m[GeneralRegister.Rax]);
        Assert.Equal(CF | OF, m.StatusFlags & (CF | OF));
    }

    [Fact]
    public void MulByteWritesAx()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(eax, 0x10);
            asm.mov(bl, 0x10);
            asm.mul(bl);
            asm.mov(ecx, 3);
            asm.mov(edx, -1);
            asm.mov(esi, 4);
            asm.xchg(eax, esi); // eax = 4, esi = 0x100
            asm.mul(ecx); // edx:eax = 12, no overflow
        });
        Assert.Equal(0x100ul, m[GeneralRegister.Rsi]);
        Assert.Equal(12ul, m[GeneralRegister.Rax]);
        Assert.Equal(0ul, m[GeneralRegister.Rdx]);
        Assert.Equal(0ul, m.StatusFlags & (CF | OF));
    }

    [Fact]
    public void ImulForms()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(al, 0xFE); // -2
            asm.mov(bl, 3);
            asm.imul(bl); // ax = -6
            asm.mov(r8, -1);
            asm.mov(r8d, 0x4000_0000);
            asm.mov(ecx, 2);
            asm.imul(r8d, ecx); // overflows 32 bits
            asm.mov(r9, 5);
            asm.imul(r10, r9, -3);
        });
        Assert.Equal(0xFFFAul, m[GeneralRegister.Rax] & 0xFFFF);
        Assert.Equal(0x8000_0000ul, m[GeneralRegister.R8]);
        Assert.Equal(unchecked((ulong)-15L), m[GeneralRegister.R10]);
        Assert.Equal(0ul, m.StatusFlags & (CF | OF));
    }

    [Fact]
    public void ImulTwoOperandOverflowSetsCarryAndOverflow()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rax, long.MaxValue);
            asm.imul(rax, rax);
        });
        Assert.Equal(CF | OF, m.StatusFlags & (CF | OF));
    }

    [Fact]
    public void DivAndIdiv()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.xor(edx, edx);
            asm.mov(eax, 100);
            asm.mov(ecx, 7);
            asm.div(rcx);
            asm.mov(r8, rax);
            asm.mov(r9, rdx);
            asm.mov(rax, -7);
            asm.cqo();
            asm.mov(rcx, 2);
            asm.idiv(rcx);
            asm.mov(ax, 1000);
            asm.mov(bl, 7);
            asm.div(bl); // al = 142, ah = 6
            asm.mov(r10, rax);
        });
        Assert.Equal(14ul, m[GeneralRegister.R8]);
        Assert.Equal(2ul, m[GeneralRegister.R9]);
        Assert.Equal(unchecked((ulong)-1L), m[GeneralRegister.Rdx]);
        Assert.Equal((6ul << 8) | 142, m[GeneralRegister.R10] & 0xFFFF);
    }

    [Theory]
    [InlineData(0ul, 5ul, 0ul)] // divide by zero
    [InlineData(1ul, 0ul, 1ul)] // quotient 2^64 does not fit
    public void DivRaisesDivideError(ulong high, ulong low, ulong divisor)
    {
        using var m = new TestMachine();
        Label fault = default;
        ExitReason reason = m.Run(asm =>
        {
            asm.mov(rdx, high);
            asm.mov(rax, low);
            asm.mov(rcx, divisor);
            fault = asm.CreateLabel();
            asm.Label(ref fault);
            asm.div(rcx);
        });
        Assert.Equal(ExitReason.Exception, reason);
        Assert.Equal(ExceptionVector.DivideError, m.Interpreter.LastFault.Vector);
        Assert.False(m.Interpreter.LastFault.HasErrorCode);
        Assert.Equal(m.LabelAddress(fault), m.State.Rip);
        Assert.Equal(low, m[GeneralRegister.Rax]);
        Assert.Equal(3, m.Interpreter.InstructionCount);
    }

    [Fact]
    public void IdivOverflowRaisesDivideError()
    {
        using var m = new TestMachine();
        ExitReason reason = m.Run(asm =>
        {
            asm.mov(ax, 0x8000);
            asm.mov(bl, 0xFF);
            asm.idiv(bl); // -32768 / -1 does not fit a byte
        });
        Assert.Equal(ExitReason.Exception, reason);
        Assert.Equal(ExceptionVector.DivideError, m.Interpreter.LastFault.Vector);

        using var q = new TestMachine();
        reason = q.Run(asm =>
        {
            asm.mov(rdx, long.MinValue);
            asm.xor(eax, eax);
            asm.mov(rcx, -1);
            asm.idiv(rcx); // -2^127 / -1
        });
        Assert.Equal(ExitReason.Exception, reason);
        Assert.Equal(ExceptionVector.DivideError, q.Interpreter.LastFault.Vector);
    }
}
