using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.ExternalInterrupts;

/// <summary>SDM vol. 3, 6.7.1: an NMI blocks further NMIs until the next IRET, whatever RFLAGS.IF says.</summary>
public sealed class NmiBlockingTests
{
    private const ulong Handler = 0x3_0000;

    [Fact]
    public void SecondNmiWaitsForTheHandlersIret()
    {
        using var m = new InterruptMachine();
        var controller = new FakeInterruptController();
        m.Interpreter.Interrupts = controller;
        m.SetGate64(2, Handler);

        // The handler counts in ESI, lets the test raise another NMI (the HLT), then returns with IRETQ.
        m.Emit(Handler, a =>
        {
            a.inc(esi);
            a.hlt();
            a.iretq();
        });
        m.Emit(InterruptMachine.MainCode, a =>
        {
            a.mov(edi, 1);
            a.hlt();
        });

        controller.HasPendingNmi = true;
        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(1ul, m[GeneralRegister.Rsi]);
        Assert.Equal(1, m.State.NmiBlocked);

        // Halted inside the handler: the new NMI neither wakes nor nests.
        controller.HasPendingNmi = true;
        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(1ul, m[GeneralRegister.Rsi]);
        Assert.True(controller.HasPendingNmi);

        // Woken some other way (the test clears HLT), the handler's IRETQ lets the pending NMI in at once.
        m.State.Halted = 0;
        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(2ul, m[GeneralRegister.Rsi]);
        Assert.False(controller.HasPendingNmi);
    }

    [Fact]
    public void MaskableInterruptsStillArriveWhileNmisAreBlocked()
    {
        using var m = new InterruptMachine();
        var controller = new FakeInterruptController { Pending = 0x40 };
        m.Interpreter.Interrupts = controller;
        m.SetGate64(0x40, Handler);
        m.Emit(Handler, a =>
        {
            a.mov(esi, 0x40);
            a.hlt();
        });
        m.Emit(InterruptMachine.MainCode, a => a.hlt());
        m.State.NmiBlocked = 1;
        m.State.Rflags |= RflagsBits.IF;
        controller.HasPendingNmi = true;
        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(0x40ul, m[GeneralRegister.Rsi]);
        Assert.True(controller.HasPendingNmi);
    }
}
