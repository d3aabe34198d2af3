using static Iced.Intel.AssemblerRegisters;
using static Emulator.Cpu.RflagsBits;

namespace Emulator.Cpu.Tests.Execution;

public sealed class WideCompareExchangeTests
{
    private const ulong Operand = TestMachine.DataBase;

    [Fact]
    public void Cmpxchg8bStoresEcxEbxWhenEqual()
    {
        using var m = new TestMachine();
        m.Memory.Write<ulong>(Operand, 0x1111_1111_2222_2222);
        m[GeneralRegister.Rdi] = Operand;
        m[GeneralRegister.Rdx] = 0xFFFF_FFFF_1111_1111;
        m[GeneralRegister.Rax] = 0x2222_2222;
        m[GeneralRegister.Rcx] = 0x3333_3333;
        m[GeneralRegister.Rbx] = 0x4444_4444;
        m.State.Rflags |= CF;
        m.RunToHalt(a => a.@lock.cmpxchg8b(__[rdi]));
        Assert.Equal(0x3333_3333_4444_4444ul, m.Memory.Read<ulong>(Operand));
        Assert.Equal(CF | ZF, m.StatusFlags);
        Assert.Equal(0xFFFF_FFFF_1111_1111ul, m[GeneralRegister.Rdx]);
    }

    [Fact]
    public void Cmpxchg8bLoadsEdxEaxWhenDifferent()
    {
        using var m = new TestMachine();
        m.Memory.Write<ulong>(Operand, 0x1111_1111_2222_2222);
        m[GeneralRegister.Rdi] = Operand;
        m[GeneralRegister.Rdx] = 0xFFFF_FFFF_0000_0000;
        m[GeneralRegister.Rax] = 0xFFFF_FFFF_0000_0000;
        m.State.Rflags |= ZF | SF;
        m.RunToHalt(a => a.cmpxchg8b(__[rdi]));
        Assert.Equal((0x1111_1111ul, 0x2222_2222ul), (m[GeneralRegister.Rdx], m[GeneralRegister.Rax]));
        Assert.Equal(0x1111_1111_2222_2222ul, m.Memory.Read<ulong>(Operand));
        Assert.Equal(SF, m.StatusFlags);
    }

    [Fact]
    public void Cmpxchg16bComparesRdxRax()
    {
        using var m = new TestMachine();
        m.Memory.Write<ulong>(Operand, 1);
        m.Memory.Write<ulong>(Operand + 8, 2);
        m[GeneralRegister.Rdi] = Operand;
        m[GeneralRegister.Rax] = 1;
        m[GeneralRegister.Rdx] = 2;
        m[GeneralRegister.Rbx] = 0xAAAA_AAAA_AAAA_AAAA;
        m[GeneralRegister.Rcx] = 0xBBBB_BBBB_BBBB_BBBB;
        m.RunToHalt(a => a.@lock.cmpxchg16b(__[rdi]));
        Assert.Equal(ZF, m.StatusFlags);
        Assert.Equal((0xAAAA_AAAA_AAAA_AAAAul, 0xBBBB_BBBB_BBBB_BBBBul), (m.Memory.Read<ulong>(Operand), m.Memory.Read<ulong>(Operand + 8)));

        m[GeneralRegister.Rax] = 0;
        DoubleShiftAndFlagTransferTests.RunAgain(m, a => a.cmpxchg16b(__[rdi]));
        Assert.Equal(0ul, m.StatusFlags);
        Assert.Equal((0xAAAA_AAAA_AAAA_AAAAul, 0xBBBB_BBBB_BBBB_BBBBul), (m[GeneralRegister.Rax], m[GeneralRegister.Rdx]));
    }

    [Fact]
    public void Cmpxchg16bNeedsSixteenByteAlignment()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rdi] = Operand + 8;
        Assert.Equal(ExitReason.Exception, m.Run(a => a.cmpxchg16b(__[rdi])));
        Assert.Equal(CpuFault.GeneralProtection(0), m.Interpreter.LastFault);
        Assert.Equal(TestMachine.CodeBase, m.State.Rip);
    }

    [Fact]
    public void FaultingOperandChangesNoRegister()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rdi] = TestMachine.RamSize - 4;
        m[GeneralRegister.Rax] = 7;
        Assert.Equal(ExitReason.Exception, m.Run(a => a.cmpxchg8b(__[rdi])));
        Assert.Equal(ExceptionVector.PageFault, m.Interpreter.LastFault.Vector);
        Assert.Equal(7ul, m[GeneralRegister.Rax]);
    }
}
