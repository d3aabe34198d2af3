using static Iced.Intel.AssemblerRegisters;
using static Emulator.Cpu.RflagsBits;

namespace Emulator.Cpu.Tests.Execution;

public sealed class ShiftRotateTests
{
    private static (ulong Result, ulong Flags) RunByte(Action<Iced.Intel.Assembler> op, ulong value, bool carry = false)
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = value;
        m.RunToHalt(asm =>
        {
            if (carry)
            {
                asm.stc();
            }

            op(asm);
        });
        return (m[GeneralRegister.Rax], m.StatusFlags);
    }

    [Fact]
    public void ShlByOneSetsCarryAndOverflow()
    {
        Assert.Equal((0x02ul, CF | OF), RunByte(asm => asm.shl(al, 1), 0x81));
        Assert.Equal((0x80ul, SF | OF), RunByte(asm => asm.shl(al, 1), 0x40));
        Assert.Equal((0x00ul, CF | PF | ZF | OF), RunByte(asm => asm.shl(al, 1), 0x80));
    }

    [Fact]
    public void ShrAndSar()
    {
        Assert.Equal((0x40ul, CF | OF), RunByte(asm => asm.shr(al, 1), 0x81));
        Assert.Equal((0xC0ul, CF | PF | SF), RunByte(asm => asm.sar(al, 1), 0x81));
        Assert.Equal((0xFFul, CF | PF | SF), RunByte(asm => asm.sar(al, 7), 0x80 | 0x40));
    }

    [Fact]
    public void ShiftByZeroKeepsFlagsButZeroExtends()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rax, -1);
            asm.xor(ecx, ecx); // ZF PF
            asm.stc();
            asm.shl(eax, cl);
        });
        Assert.Equal(0xFFFF_FFFFul, m[GeneralRegister.Rax]);
        Assert.Equal(CF | PF | ZF, m.StatusFlags);
    }

    [Fact]
    public void CountIsMaskedToFiveOrSixBits()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(eax, 1);
            asm.shl(eax, 33); // masked to 1
            asm.mov(rbx, 1);
            asm.shl(rbx, 63);
            asm.mov(rdx, 1);
            asm.mov(cl, 64);
            asm.shl(rdx, cl); // masked to 0: unchanged
        });
        Assert.Equal(2ul, m[GeneralRegister.Rax]);
        Assert.Equal(0x8000_0000_0000_0000ul, m[GeneralRegister.Rbx]);
        Assert.Equal(1ul, m[GeneralRegister.Rdx]);
    }

    [Fact]
    public void ShlByteBeyondWidthShiftsEverythingOut()
    {
        // 8-bit shift by 9: result 0, CF = bit (8 - 9) = 0.
        Assert.Equal(0ul, RunByte(asm => asm.shl(al, 9), 0xFF).Result);
        // 8-bit shift by 8: CF = the old bit 0.
        Assert.Equal((0ul, CF | PF | ZF | OF), RunByte(asm => asm.shl(al, 8), 0x01));
    }

    [Fact]
    public void SarQwordBy63()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = 0x8000_0000_0000_0000;
        m.RunToHalt(asm => asm.sar(rax, 63));
        Assert.Equal(ulong.MaxValue, m[GeneralRegister.Rax]);
        Assert.Equal(PF | SF, m.StatusFlags);
    }

    [Fact]
    public void RotatesChangeOnlyCarryAndOverflow()
    {
        Assert.Equal((0x03ul, CF | OF), RunByte(asm => asm.rol(al, 1), 0x81));
        Assert.Equal((0xC0ul, CF), RunByte(asm => asm.ror(al, 1), 0x81));
        Assert.Equal((0x01ul, CF | OF), RunByte(asm => asm.rcl(al, 1), 0x80, carry: true));
        Assert.Equal((0x00ul, CF), RunByte(asm => asm.rcr(al, 1), 0x01));
        Assert.Equal((0x80ul, OF), RunByte(asm => asm.rcr(al, 1), 0x00, carry: true));
    }

    [Fact]
    public void RclByNineIsIdentityForBytes()
    {
        (ulong result, ulong flags) = RunByte(asm => asm.rcl(al, 9), 0x5A, carry: true);
        Assert.Equal(0x5Aul, result);
        Assert.Equal(CF, flags & CF);
    }

    [Fact]
    public void RolByWidthKeepsValueAndSetsCarryFromBitZero()
    {
        Assert.Equal((0x81ul, CF), RunByte(asm => asm.rol(al, 8), 0x81));
    }

    [Fact]
    public void RotateQwordThroughCarry()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = 0x8000_0000_0000_0001;
        m.RunToHalt(asm => asm.rcr(rax, 2)); // CF=0 in
        Assert.Equal(0xA000_0000_0000_0000ul, m[GeneralRegister.Rax]);
        Assert.Equal(0ul, m.StatusFlags & CF);
    }
}
