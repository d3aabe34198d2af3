using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>ENTER and LEAVE against the SDM's pseudocode, worked by hand.</summary>
public sealed class FrameInstructionTests
{
    [Fact]
    public void EnterWithoutNestingSavesFrameAndAllocates()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rbp, 0x1234_5678_9ABCUL);
            asm.enter(0x20, 0);
        });
        ulong saved = TestMachine.StackTop - 8;
        Assert.Equal(saved, m[GeneralRegister.Rbp]);
        Assert.Equal(saved - 0x20, m[GeneralRegister.Rsp]);
        Assert.Equal(0x1234_5678_9ABCUL, m.Memory.Read<ulong>(saved));
    }

    [Fact]
    public void EnterThenLeaveRestoresTheCallersFrame()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rbp, 0x7777);
            asm.enter(0x100, 0);
            asm.mov(__qword_ptr[rbp - 8], rax);
            asm.leave();
        });
        Assert.Equal(0x7777UL, m[GeneralRegister.Rbp]);
        Assert.Equal(TestMachine.StackTop, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void EnterWithNestingCopiesEnclosingFramePointers()
    {
        using var m = new TestMachine();
        const ulong outer = 0x6_0000;
        m.RunToHalt(asm =>
        {
            // An enclosing display: the frame pointers the level-3 ENTER copies live just below the old RBP.
            asm.mov(rbp, outer);
            asm.mov(rax, 0xAAAA);
            asm.mov(__qword_ptr[rbp - 8], rax);
            asm.mov(rax, 0xBBBB);
            asm.mov(__qword_ptr[rbp - 16], rax);
            asm.enter(0x10, 3);
        });
        ulong top = TestMachine.StackTop;
        ulong frame = top - 8;
        Assert.Equal(outer, m.Memory.Read<ulong>(top - 8));
        Assert.Equal(0xAAAAUL, m.Memory.Read<ulong>(top - 16));
        Assert.Equal(0xBBBBUL, m.Memory.Read<ulong>(top - 24));
        Assert.Equal(frame, m.Memory.Read<ulong>(top - 32));
        Assert.Equal(frame, m[GeneralRegister.Rbp]);
        Assert.Equal(top - 32 - 0x10, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void EnterNestingLevelIsTakenModulo32()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rbp, 0x5555);
            asm.enter(8, 32);
        });
        Assert.Equal(TestMachine.StackTop - 8, m[GeneralRegister.Rbp]);
        Assert.Equal(TestMachine.StackTop - 16, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void SixteenBitLeavePopsOnlyBp()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rbp, TestMachine.StackTop - 0x40);
            asm.mov(__word_ptr[rbp], 0x4321);
            asm.db(0x66, 0xC9); // leave with a 16-bit operand
        });
        Assert.Equal((TestMachine.StackTop - 0x40) & ~0xFFFFUL | 0x4321, m[GeneralRegister.Rbp]);
        Assert.Equal(TestMachine.StackTop - 0x40 + 2, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void LeaveFromAnUnmappedFrameFaultsAndChangesNothing()
    {
        using var m = new TestMachine();
        ExitReason exit = m.Run(asm =>
        {
            asm.mov(rbp, 0x8000_0000_0000UL);
            asm.leave();
            asm.hlt();
        });
        Assert.Equal(ExitReason.Exception, exit);
        Assert.Equal(0x8000_0000_0000UL, m[GeneralRegister.Rbp]);
        Assert.Equal(TestMachine.StackTop, m[GeneralRegister.Rsp]);
    }
}
