using static Iced.Intel.AssemblerRegisters;
using static Emulator.Cpu.RflagsBits;

namespace Emulator.Cpu.Tests.Execution;

public sealed class DoubleShiftAndFlagTransferTests
{
    /// <summary>Runs another program on the same halted machine, from the code base.</summary>
    internal static void RunAgain(TestMachine m, Action<Iced.Intel.Assembler> program)
    {
        m.State.Rip = TestMachine.CodeBase;
        m.State.Halted = 0;
        m.RunToHalt(program);
    }

    [Fact]
    public void ShldShiftsSourceBitsInAndReportsTheLastBitOut()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = 0xFFFF_FFFF_1234_5678;
        m[GeneralRegister.Rbx] = 0x9ABC_DEF0;
        m.RunToHalt(a => a.shld(eax, ebx, 4));
        Assert.Equal(0x2345_6789ul, m[GeneralRegister.Rax]);
        Assert.Equal(CF, m.StatusFlags);
    }

    [Fact]
    public void ShrdByOneSetsOverflowOnSignChange()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = 0x0001;
        m[GeneralRegister.Rbx] = 0x0001;
        m.RunToHalt(a => a.shrd(ax, bx, 1));
        Assert.Equal(0x8000ul, m[GeneralRegister.Rax]);
        Assert.Equal(CF | OF | SF | PF, m.StatusFlags);
    }

    [Fact]
    public void SixtyFourBitShldByClUsesSixBitsAndAMaskedZeroChangesNothing()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = 0x8000_0000_0000_0001;
        m[GeneralRegister.Rbx] = 0xF000_0000_0000_0000;
        m[GeneralRegister.Rcx] = 0x41;
        m.RunToHalt(a => a.shld(rax, rbx, cl));
        Assert.Equal(0x0000_0000_0000_0003ul, m[GeneralRegister.Rax]);
        Assert.Equal(CF | PF | OF, m.StatusFlags);

        m.State.Rflags |= ZF;
        m[GeneralRegister.Rcx] = 0x40;
        RunAgain(m, a => a.shld(rax, rbx, cl));
        Assert.Equal(3ul, m[GeneralRegister.Rax]);
        Assert.Equal(CF | PF | OF | ZF, m.StatusFlags);
    }

    [Fact]
    public void ShrdFullWidthCountReplacesTheDestinationWithTheSource()
    {
        Assert.Equal((0xBEEFul, CF | SF), DoubleShiftInstructions.Compute(left: false, 0x8001, 0xBEEF, 16, 2));
        Assert.Equal((0x1234ul, CF), DoubleShiftInstructions.Compute(left: true, 0x0001, 0x1234, 16, 2));
    }

    /// <summary>Undefined in the SDM; these are the results an AMD EPYC host gave (shifting through the source twice).</summary>
    [Fact]
    public void SixteenBitCountsPastSixteenRepeatTheSourceAsTheAmdHostDoes()
    {
        Assert.Equal(0x0800ul, DoubleShiftInstructions.Compute(left: true, 0x20F5, 0x8000, 28, 2).Result);
        Assert.Equal(0x0002ul, DoubleShiftInstructions.Compute(left: true, 0x7B1F, 0x0800, 22, 2).Result);
        Assert.Equal(0x0006ul, DoubleShiftInstructions.Compute(left: false, 0xCC9D, 0x0003, 31, 2).Result);
    }

    [Fact]
    public void LahfAndSahfMoveTheLowFlagsThroughAh()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = 0xFFFF;
        m.State.Rflags = Fixed1 | SF | ZF | AF | PF | CF | OF;
        m.RunToHalt(a => a.lahf());
        Assert.Equal(0xD7FFul, m[GeneralRegister.Rax]);

        m[GeneralRegister.Rax] = 0x2800;
        RunAgain(m, a => a.sahf());
        Assert.Equal(OF, m.StatusFlags);
    }
}
