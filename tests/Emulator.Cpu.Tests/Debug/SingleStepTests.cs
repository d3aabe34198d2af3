using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Debug;

public sealed class SingleStepTests
{
    private const ulong Main = InterruptMachine.MainCode;

    [Fact]
    public void PopfSettingTfTrapsFromTheNextInstructionWithBs()
    {
        using var m = new DebugMachine();
        ulong afterPopf = m.Emit(Main, a =>
        {
            a.pushfq();
            a.or(__qword_ptr[rsp], (int)RflagsBits.TF);
            a.popfq();
        });
        ulong afterNop1 = m.Emit(afterPopf, a => a.nop());
        ulong afterNop2 = m.Emit(afterNop1, a => a.nop());
        ulong afterPushf = m.Emit(afterNop2, a => a.pushfq());
        ulong afterAnd = m.Emit(afterPushf, a => a.and(__qword_ptr[rsp], ~(int)RflagsBits.TF));
        ulong afterClear = m.Emit(afterAnd, a => a.popfq());
        m.Emit(afterClear, a => a.hlt());

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(5, m.Count);
        Assert.Equal(new[] { afterNop1, afterNop2, afterPushf, afterAnd, afterClear }, Enumerable.Range(0, 5).Select(m.Rip));
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(DebugExceptions.Dr6Fixed1 | DebugExceptions.Dr6BS, m.Dr6(i));
        }

        // The POPF that clears TF still traps (TF was set when it started); its image has TF clear.
        Assert.NotEqual(0ul, m.Rflags(3) & RflagsBits.TF);
        Assert.Equal(0ul, m.Rflags(4) & RflagsBits.TF);

        Assert.Equal(afterClear + 1, m.State.Rip);
    }

    [Fact]
    public void MovSsHoldsTheTrapForOneInstruction()
    {
        using var m = new DebugMachine();
        ulong afterRead = m.Emit(Main, a => a.mov(ax, ss));
        ulong afterLoad = m.Emit(afterRead, a => a.mov(ss, ax));
        ulong afterNop = m.Emit(afterLoad, a => a.nop());
        ulong afterPushf = m.Emit(afterNop, a => a.pushfq());
        ulong afterAnd = m.Emit(afterPushf, a => a.and(__qword_ptr[rsp], ~(int)RflagsBits.TF));
        ulong afterClear = m.Emit(afterAnd, a => a.popfq());
        m.Emit(afterClear, a => a.hlt());
        m.State.Rflags |= RflagsBits.TF;

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(new[] { afterRead, afterNop, afterPushf, afterAnd, afterClear }, Enumerable.Range(0, m.Count).Select(m.Rip));
    }

    [Fact]
    public void Int3IsNotSteppedAndItsHandlerRunsWithoutTf()
    {
        using var m = new DebugMachine();
        m.Machine.SetGate64(ExceptionVector.Breakpoint, DebugMachine.OtherHandler);
        m.Emit(DebugMachine.OtherHandler, a =>
        {
            a.pushfq();
            a.pop(r14);
            a.iretq();
        });
        ulong afterInt3 = m.Emit(Main, a => a.int3());
        ulong afterNop = m.Emit(afterInt3, a => a.nop());
        ulong afterPushf = m.Emit(afterNop, a => a.pushfq());
        ulong afterAnd = m.Emit(afterPushf, a => a.and(__qword_ptr[rsp], ~(int)RflagsBits.TF));
        ulong afterClear = m.Emit(afterAnd, a => a.popfq());
        m.Emit(afterClear, a => a.hlt());
        m.State.Rflags |= RflagsBits.TF;

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(0ul, m.Machine[GeneralRegister.R14] & RflagsBits.TF);
        Assert.Equal(new[] { afterNop, afterPushf, afterAnd, afterClear }, Enumerable.Range(0, m.Count).Select(m.Rip));
    }

    [Fact]
    public void FaultingInstructionDoesNotTrap()
    {
        using var m = new DebugMachine();
        m.Machine.SetGate64(ExceptionVector.InvalidOpcode, DebugMachine.OtherHandler);
        m.Emit(DebugMachine.OtherHandler, a =>
        {
            a.add(__qword_ptr[rsp], 2);
            a.iretq();
        });
        ulong afterUd = m.Emit(Main, a => a.ud2());
        ulong afterNop = m.Emit(afterUd, a => a.nop());
        ulong afterPushf = m.Emit(afterNop, a => a.pushfq());
        ulong afterAnd = m.Emit(afterPushf, a => a.and(__qword_ptr[rsp], ~(int)RflagsBits.TF));
        ulong afterClear = m.Emit(afterAnd, a => a.popfq());
        m.Emit(afterClear, a => a.hlt());
        m.State.Rflags |= RflagsBits.TF;

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(new[] { afterNop, afterPushf, afterAnd, afterClear }, Enumerable.Range(0, m.Count).Select(m.Rip));
    }

    [Fact]
    public void WithoutDeliveryTheTrapEndsTheRunPastTheInstruction()
    {
        using var m = new DebugMachine();
        m.Machine.Interpreter.DeliverExceptions = false;
        ulong afterNop = m.Emit(Main, a => a.nop());
        m.Emit(afterNop, a => a.hlt());
        m.State.Rflags |= RflagsBits.TF;

        Assert.Equal(ExitReason.Exception, m.Run());
        Assert.Equal(ExceptionVector.Debug, m.Machine.Interpreter.LastFault.Vector);
        Assert.Equal(afterNop, m.State.Rip);
        Assert.NotEqual(0ul, m.State.Dr6 & DebugExceptions.Dr6BS);
        Assert.Equal(1, m.Machine.Interpreter.InstructionCount);
    }
}
