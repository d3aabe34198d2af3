using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Debug;

public sealed class BreakpointTests
{
    private const ulong Main = InterruptMachine.MainCode;

    [Fact]
    public void InstructionBreakpointFaultsBeforeTheInstructionAndRfResumes()
    {
        using var m = new DebugMachine(setResumeFlag: true);
        ulong target = m.Emit(Main, a => a.nop());
        ulong afterTarget = m.Emit(target, a => a.mov(ebx, 0x1234));
        m.Emit(afterTarget, a => a.hlt());
        m.State.Dr0 = target;
        m.State.Dr7 = 0x400 | 1;

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(1, m.Count);
        Assert.Equal(target, m.Rip(0));
        Assert.Equal(DebugExceptions.Dr6Fixed1 | 1, m.Dr6(0));
        Assert.Equal(0ul, m.Rflags(0) & RflagsBits.RF);
        Assert.Equal(0x1234ul, m.Machine[GeneralRegister.Rbx]);
        Assert.Equal(0ul, m.State.Rflags & RflagsBits.RF);
    }

    [Fact]
    public void ResumeFlagSuppressesOneInstructionBreakpoint()
    {
        using var m = new DebugMachine();
        m.Machine.Interpreter.DeliverExceptions = false;
        m.Emit(Main, a =>
        {
            a.nop();
            a.jmp(Main);
        });
        m.State.Dr0 = Main;
        m.State.Dr7 = 0x400 | 2;
        m.State.Rflags |= RflagsBits.RF;

        Assert.Equal(ExitReason.Exception, m.Run());
        Assert.Equal(ExceptionVector.Debug, m.Machine.Interpreter.LastFault.Vector);
        Assert.Equal(Main, m.State.Rip);
        Assert.Equal(2, m.Machine.Interpreter.InstructionCount);
        Assert.Equal(0ul, m.State.Rflags & RflagsBits.RF);
    }

    [Fact]
    public void BreakpointArmedByMovDr7MidBlockHitsTheNextInstruction()
    {
        using var m = new DebugMachine(setResumeFlag: true);
        void Arm(Iced.Intel.Assembler a, ulong address)
        {
            a.mov(rax, address);
            a.mov(dr0, rax);
            a.mov(eax, 0x401);
            a.mov(dr7, rax);
        }

        ulong target = m.Emit(Main, a => Arm(a, 0x1234_5678_9AUL));
        Assert.Equal(target, m.Emit(Main, a => Arm(a, target)));
        ulong afterTarget = m.Emit(target, a => a.mov(ebx, 0x1234));
        m.Emit(afterTarget, a => a.hlt());

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(1, m.Count);
        Assert.Equal(target, m.Rip(0));
        Assert.Equal(0x1234ul, m.Machine[GeneralRegister.Rbx]);
    }

    [Fact]
    public void WriteBreakpointTrapsAfterAnOverlappingWriteOnly()
    {
        using var m = new DebugMachine();
        m.Machine[GeneralRegister.Rbx] = DebugMachine.Data;
        ulong afterRead = m.Emit(Main, a => a.mov(eax, __dword_ptr[rbx]));
        ulong afterMiss = m.Emit(afterRead, a => a.mov(__byte_ptr[rbx + 4], 1));
        ulong afterWrite = m.Emit(afterMiss, a => a.mov(__byte_ptr[rbx + 2], 1));
        m.Emit(afterWrite, a => a.hlt());
        m.State.Dr1 = DebugMachine.Data;
        m.State.Dr7 = 0x400 | (1 << 2) | (1 << 20) | (3 << 22);

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(1, m.Count);
        Assert.Equal(afterWrite, m.Rip(0));
        Assert.Equal(DebugExceptions.Dr6Fixed1 | 2, m.Dr6(0));
    }

    [Fact]
    public void ReadWriteBreakpointIsAlignedToItsLength()
    {
        using var m = new DebugMachine();
        m.Machine[GeneralRegister.Rbx] = DebugMachine.Data;
        ulong afterMiss = m.Emit(Main, a => a.mov(eax, __dword_ptr[rbx + 8]));
        ulong afterRead = m.Emit(afterMiss, a => a.mov(eax, __dword_ptr[rbx + 4]));
        m.Emit(afterRead, a => a.hlt());
        m.State.Dr2 = DebugMachine.Data + 7;
        m.State.Dr7 = 0x400 | (1 << 4) | (3 << 24) | (2 << 26);

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(1, m.Count);
        Assert.Equal(afterRead, m.Rip(0));
        Assert.Equal(DebugExceptions.Dr6Fixed1 | 4, m.Dr6(0));
    }

    [Fact]
    public void StackPushHitsAWriteBreakpoint()
    {
        using var m = new DebugMachine();
        ulong afterPush = m.Emit(Main, a => a.push(rax));
        m.Emit(afterPush, a => a.hlt());
        m.State.Dr3 = InterruptMachine.KernelStack - 8;
        m.State.Dr7 = 0x400 | (1 << 6) | (1ul << 28) | (2ul << 30);

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(1, m.Count);
        Assert.Equal(afterPush, m.Rip(0));
        Assert.Equal(DebugExceptions.Dr6Fixed1 | 8, m.Dr6(0));
    }

    [Fact]
    public void SingleStepAndDataBreakpointReportTogether()
    {
        using var m = new DebugMachine();
        m.Machine[GeneralRegister.Rbx] = DebugMachine.Data;
        ulong afterWrite = m.Emit(Main, a => a.mov(__qword_ptr[rbx], rax));
        ulong afterPushf = m.Emit(afterWrite, a => a.pushfq());
        ulong afterAnd = m.Emit(afterPushf, a => a.and(__qword_ptr[rsp], ~(int)RflagsBits.TF));
        ulong afterClear = m.Emit(afterAnd, a => a.popfq());
        m.Emit(afterClear, a => a.hlt());
        m.State.Dr0 = DebugMachine.Data;
        m.State.Dr7 = 0x400 | 1 | (1 << 16);
        m.State.Rflags |= RflagsBits.TF;

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(afterWrite, m.Rip(0));
        Assert.Equal(DebugExceptions.Dr6Fixed1 | DebugExceptions.Dr6BS | 1, m.Dr6(0));
        Assert.Equal(DebugExceptions.Dr6Fixed1 | DebugExceptions.Dr6BS, m.Dr6(1));
    }
}
