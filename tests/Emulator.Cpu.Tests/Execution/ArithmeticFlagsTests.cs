using static Iced.Intel.AssemblerRegisters;
using static Emulator.Cpu.RflagsBits;

namespace Emulator.Cpu.Tests.Execution;

public sealed class ArithmeticFlagsTests
{
    [Theory]
    [InlineData(0x7Ful, 1ul, 0x80ul, AF | SF | OF)]
    [InlineData(0xFFul, 1ul, 0ul, CF | PF | AF | ZF)]
    [InlineData(0x0Ful, 1ul, 0x10ul, AF)]
    [InlineData(0x80ul, 0x80ul, 0ul, CF | PF | ZF | OF)]
    [InlineData(0x01ul, 0x02ul, 0x03ul, PF)]
    public void AddByte(ulong a, ulong b, ulong result, ulong flags)
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = a;
        m[GeneralRegister.Rbx] = b;
        m.RunToHalt(asm => asm.add(al, bl));
        Assert.Equal(result, m[GeneralRegister.Rax]);
        Assert.Equal(flags, m.StatusFlags);
    }

    [Theory]
    [InlineData(0x7FFF_FFFF_FFFF_FFFFul, 1ul, 0x8000_0000_0000_0000ul, PF | AF | SF | OF)]
    [InlineData(ulong.MaxValue, 1ul, 0ul, CF | PF | AF | ZF)]
    [InlineData(0x8000_0000_0000_0000ul, 0x8000_0000_0000_0000ul, 0ul, CF | PF | ZF | OF)]
    public void AddQword(ulong a, ulong b, ulong result, ulong flags)
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = a;
        m[GeneralRegister.Rbx] = b;
        m.RunToHalt(asm => asm.add(rax, rbx));
        Assert.Equal(result, m[GeneralRegister.Rax]);
        Assert.Equal(flags, m.StatusFlags);
    }

    [Theory]
    [InlineData(0ul, 1ul, 0xFFFF_FFFFul, CF | PF | AF | SF)]
    [InlineData(0x8000_0000ul, 1ul, 0x7FFF_FFFFul, PF | AF | OF)]
    [InlineData(5ul, 5ul, 0ul, PF | ZF)]
    [InlineData(0x10ul, 1ul, 0x0Ful, PF | AF)]
    public void SubDword(ulong a, ulong b, ulong result, ulong flags)
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = a | 0xDEAD_0000_0000_0000;
        m[GeneralRegister.Rbx] = b;
        m.RunToHalt(asm => asm.sub(eax, ebx));
        Assert.Equal(result, m[GeneralRegister.Rax]);
        Assert.Equal(flags, m.StatusFlags);
    }

    [Fact]
    public void CmpSetsFlagsWithoutWriting()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = 3;
        m.RunToHalt(asm => asm.cmp(rax, 4));
        Assert.Equal(3ul, m[GeneralRegister.Rax]);
        Assert.Equal(CF | PF | AF | SF, m.StatusFlags);
    }

    [Fact]
    public void AdcAndSbbUseCarry()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rax, -1);
            asm.add(rax, 1); // CF=1, rax=0
            asm.mov(ebx, 10);
            asm.adc(ebx, -11); // 10 + 0xFFFFFFF5 + 1 = 2^32 -> 0, CF
            asm.mov(ecx, 0);
            asm.sbb(ecx, 0); // 0 - 0 - 1 = -1, CF
        });
        Assert.Equal(0ul, m[GeneralRegister.Rbx]);
        Assert.Equal(0xFFFF_FFFFul, m[GeneralRegister.Rcx]);
        Assert.Equal(CF | PF | AF | SF, m.StatusFlags);
    }

    [Fact]
    public void AdcCarryInMakesCarryOutOnEqualResult()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.stc();
            asm.mov(al, 0xFF);
            asm.adc(al, 0xFF); // 0xFF + 0xFF + 1 = 0x1FF
        });
        Assert.Equal(0xFFul, m[GeneralRegister.Rax] & 0xFF);
        Assert.Equal(CF | PF | AF | SF, m.StatusFlags);
    }

    [Fact]
    public void IncDecKeepCarry()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.stc();
            asm.mov(eax, 0x7FFF_FFFF);
            asm.inc(eax);
        });
        Assert.Equal(0x8000_0000ul, m[GeneralRegister.Rax]);
        Assert.Equal(CF | PF | AF | SF | OF, m.StatusFlags);

        using var d = new TestMachine();
        d.RunToHalt(asm =>
        {
            asm.clc();
            asm.xor(ecx, ecx);
            asm.dec(cx);
        });
        Assert.Equal(0xFFFFul, d[GeneralRegister.Rcx]);
        Assert.Equal(PF | AF | SF, d.StatusFlags);
    }

    [Theory]
    [InlineData(0ul, 0ul, PF | ZF)]
    [InlineData(1ul, 0xFFul, CF | PF | AF | SF)]
    [InlineData(0x80ul, 0x80ul, CF | OF | SF)]
    public void NegByte(ulong a, ulong result, ulong flags)
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rdx] = a;
        m.RunToHalt(asm => asm.neg(dl));
        Assert.Equal(result, m[GeneralRegister.Rdx]);
        Assert.Equal(flags, m.StatusFlags);
    }

    [Fact]
    public void LogicClearsCarryAndOverflow()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.stc();
            asm.mov(rax, 0x0F0F);
            asm.and(rax, 0xF0);
            asm.mov(rbx, 0x80);
            asm.or(bl, 0);
            asm.mov(rcx, -1);
            asm.not(rcx);
        });
        Assert.Equal(0ul, m[GeneralRegister.Rax]);
        Assert.Equal(0ul, m[GeneralRegister.Rcx]);
        Assert.Equal(SF, m.StatusFlags);
    }

    [Fact]
    public void XorSelfZeroesAndTestDoesNotWrite()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = 0x1234_5678_9ABC_DEF0;
        m[GeneralRegister.Rbx] = 0x80;
        m.RunToHalt(asm =>
        {
            asm.xor(eax, eax);
            asm.test(bl, bl);
        });
        Assert.Equal(0ul, m[GeneralRegister.Rax]);
        Assert.Equal(0x80ul, m[GeneralRegister.Rbx]);
        Assert.Equal(SF, m.StatusFlags);
    }

    [Fact]
    public void OperandSizesMergeOrZeroExtend()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rax, -1);
            asm.mov(al, 0x12);
            asm.mov(ah, 0x34);
            asm.mov(rbx, -1);
            asm.mov(bx, 0x5678);
            asm.mov(rcx, -1);
            asm.mov(ecx, 0x9ABC);
            asm.mov(rsi, -1);
            asm.mov(sil, 0);
            asm.mov(r9, -1);
            asm.add(r9d, 1);
        });
        Assert.Equal(0xFFFF_FFFF_FFFF_3412ul, m[GeneralRegister.Rax]);
        Assert.Equal(0xFFFF_FFFF_FFFF_5678ul, m[GeneralRegister.Rbx]);
        Assert.Equal(0x9ABCul, m[GeneralRegister.Rcx]);
        Assert.Equal(0xFFFF_FFFF_FFFF_FF00ul, m[GeneralRegister.Rsi]);
        Assert.Equal(0ul, m[GeneralRegister.R9]);
    }
}
