using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Debug;

public sealed class StringStepTests
{
    private const ulong Main = InterruptMachine.MainCode;

    [Fact]
    public void RepStosSingleStepsEachIterationWithRfBetweenThem()
    {
        using var m = new DebugMachine();
        m.Machine[GeneralRegister.Rdi] = DebugMachine.Data;
        m.Machine[GeneralRegister.Rcx] = 3;
        ulong afterStos = m.Emit(Main, a => a.rep.stosb());
        m.Emit(afterStos, a =>
        {
            a.pushfq();
            a.and(__qword_ptr[rsp], ~(int)RflagsBits.TF);
            a.popfq();
            a.hlt();
        });
        m.State.Rflags |= RflagsBits.TF;

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(new[] { Main, Main, afterStos }, Enumerable.Range(0, 3).Select(m.Rip));
        Assert.Equal(new[] { true, true, false }, Enumerable.Range(0, 3).Select(i => (m.Rflags(i) & RflagsBits.RF) != 0));
        Assert.Equal(0ul, m.Machine[GeneralRegister.Rcx]);
    }

    [Fact]
    public void RepStosWriteBreakpointTrapsAtTheIterationThatHitsIt()
    {
        using var m = new DebugMachine();
        m.Machine[GeneralRegister.Rdi] = DebugMachine.Data;
        m.Machine[GeneralRegister.Rcx] = 4;
        m.Machine[GeneralRegister.Rax] = 0xAB;
        ulong afterStos = m.Emit(Main, a => a.rep.stosb());
        m.Emit(afterStos, a => a.hlt());
        m.State.Dr0 = DebugMachine.Data + 1;
        m.State.Dr7 = 0x400 | 1 | (1 << 16);

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(1, m.Count);
        Assert.Equal(Main, m.Rip(0));
        Assert.Equal(DebugExceptions.Dr6Fixed1 | 1, m.Dr6(0));
        Assert.NotEqual(0ul, m.Rflags(0) & RflagsBits.RF);
        Assert.Equal(0xABAB_ABABu, m.Machine.Memory.Read<uint>(DebugMachine.Data));
    }

    [Fact]
    public void InstructionBreakpointOnRepStosFiresOnceNotPerIteration()
    {
        using var m = new DebugMachine(setResumeFlag: true);
        m.Machine[GeneralRegister.Rdi] = DebugMachine.Data;
        m.Machine[GeneralRegister.Rcx] = 4;
        ulong afterStos = m.Emit(Main, a => a.rep.stosb());
        m.Emit(afterStos, a => a.hlt());
        m.State.Dr0 = Main;
        m.State.Dr7 = 0x400 | 1;

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(1, m.Count);
        Assert.Equal(0ul, m.Machine[GeneralRegister.Rcx]);
    }
}
