using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.ExternalInterrupts;

public sealed class ExternalInterruptTests
{
    private const ulong Handler = 0x3_0000;
    private const byte Vector = 0x40;

    private static (InterruptMachine Machine, FakeInterruptController Controller) Create(bool interruptsEnabled)
    {
        var m = new InterruptMachine();
        var controller = new FakeInterruptController();
        m.Interpreter.Interrupts = controller;
        if (interruptsEnabled)
        {
            m.State.Rflags |= RflagsBits.IF;
        }

        m.SetGate64(Vector, Handler);
        m.SetGate64(2, Handler + 0x100);
        m.SetGate64(6, Handler + 0x200);
        m.Emit(Handler, a =>
        {
            a.mov(esi, Vector);
            a.mov(ecx, eax);
            a.mov(edx, ebx);
            a.hlt();
        });
        m.Emit(Handler + 0x100, a =>
        {
            a.mov(esi, 2);
            a.hlt();
        });
        m.Emit(Handler + 0x200, a =>
        {
            a.mov(esi, 6);
            a.hlt();
        });
        return (m, controller);
    }

    [Fact]
    public void ClearInterruptFlagHoldsTheInterrupt()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: false);
        using (m)
        {
            c.Pending = Vector;
            m.Emit(InterruptMachine.MainCode, a =>
            {
                a.mov(eax, 1);
                a.hlt();
            });
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(0, c.Acknowledged);
            Assert.Equal(0ul, m[GeneralRegister.Rsi]);

            // Still halted, still held: IF=0 HLT only wakes for an NMI.
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(0, c.Acknowledged);
        }
    }

    [Fact]
    public void PendingInterruptIsDeliveredBeforeTheNextInstructionAsExternal()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: true);
        using (m)
        {
            c.Pending = Vector;
            m.Emit(InterruptMachine.MainCode, a =>
            {
                a.mov(eax, 1);
                a.hlt();
            });
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(1, c.Acknowledged);
            Assert.Equal((ulong)Vector, m[GeneralRegister.Rsi]);
            Assert.Equal(0ul, m[GeneralRegister.Rcx]);

            // No error code: the frame's top is the return RIP, the instruction not yet run.
            Assert.Equal(InterruptMachine.KernelStack - 40, m[GeneralRegister.Rsp]);
            Assert.Equal(InterruptMachine.MainCode, m.Memory.Read<ulong>(InterruptMachine.KernelStack - 40));
            Assert.Equal(0ul, m.State.Rflags & RflagsBits.IF);
        }
    }

    [Fact]
    public void StiShadowDelaysByExactlyOneInstruction()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: false);
        using (m)
        {
            c.Pending = Vector;
            m.Emit(InterruptMachine.MainCode, a =>
            {
                a.sti();
                a.mov(eax, 1);
                a.mov(ebx, 2);
                a.hlt();
            });
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal((ulong)Vector, m[GeneralRegister.Rsi]);
            Assert.Equal(1ul, m[GeneralRegister.Rcx]);
            Assert.Equal(0ul, m[GeneralRegister.Rdx]);
        }
    }

    [Fact]
    public void MovSsShadowDelaysByExactlyOneInstruction()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: true);
        using (m)
        {
            m.Emit(InterruptMachine.MainCode, a =>
            {
                a.mov(ax, ss);
                a.mov(ss, ax);
                a.mov(eax, 1);
                a.mov(ebx, 2);
                a.hlt();
            });
            Assert.Equal(ExitReason.InstructionLimit, m.Run(2));
            Assert.NotEqual(0, m.State.InterruptShadow);
            c.Pending = Vector;
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(1ul, m[GeneralRegister.Rcx]);
            Assert.Equal(0ul, m[GeneralRegister.Rdx]);
        }
    }

    [Fact]
    public void PopfSettingIfTakesTheInterruptRightAfterIt()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: false);
        using (m)
        {
            c.Pending = Vector;
            m.Emit(InterruptMachine.MainCode, a =>
            {
                a.pushfq();
                a.or(__qword_ptr[rsp], (int)RflagsBits.IF);
                a.popfq();
                a.mov(eax, 1);
                a.hlt();
            });
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal((ulong)Vector, m[GeneralRegister.Rsi]);
            Assert.Equal(0ul, m[GeneralRegister.Rcx]);
        }
    }

    [Fact]
    public void HaltWakesOnAnInterruptAndReturnsAfterTheHlt()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: true);
        using (m)
        {
            m.Emit(Handler + 0x300, a =>
            {
                a.mov(ecx, 0x41);
                a.iretq();
            });
            m.SetGate64(0x41, Handler + 0x300);
            m.Emit(InterruptMachine.MainCode, a =>
            {
                a.hlt();
                a.mov(ebx, 5);
                a.hlt();
            });
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(0ul, m[GeneralRegister.Rbx]);

            c.Pending = 0x41;
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(0x41ul, m[GeneralRegister.Rcx]);
            Assert.Equal(5ul, m[GeneralRegister.Rbx]);
            Assert.Equal(InterruptMachine.KernelStack, m[GeneralRegister.Rsp]);
        }
    }

    [Fact]
    public void StiHltWithAPendingInterruptWakesWithinTheSameRun()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: false);
        using (m)
        {
            m.Emit(Handler + 0x300, a => a.iretq());
            m.SetGate64(0x41, Handler + 0x300);
            m.Emit(InterruptMachine.MainCode, a =>
            {
                a.sti();
                a.hlt();
                a.mov(ebx, 5);
                a.hlt();
            });
            c.Pending = 0x41;
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(5ul, m[GeneralRegister.Rbx]);
            Assert.Equal(1, c.Acknowledged);
        }
    }

    [Fact]
    public void HaltStillReportedWhenTheBudgetEndsOnHlt()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: true);
        using (m)
        {
            m.Emit(InterruptMachine.MainCode, a => a.hlt());
            Assert.Equal(ExitReason.Halted, m.Run(1));
            Assert.NotEqual(0, m.State.Halted);
            Assert.Equal(0, c.Acknowledged);
        }
    }

    [Fact]
    public void NmiIgnoresTheInterruptFlagAndWakesHalt()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: false);
        using (m)
        {
            m.Emit(InterruptMachine.MainCode, a => a.hlt());
            Assert.Equal(ExitReason.Halted, m.Run());
            c.HasPendingNmi = true;
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(2ul, m[GeneralRegister.Rsi]);
            Assert.False(c.HasPendingNmi);
        }
    }

    [Fact]
    public void InterruptWinsOverAFaultOfTheNextInstruction()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: true);
        using (m)
        {
            c.Pending = Vector;
            m.Emit(InterruptMachine.MainCode, a => a.ud2());
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal((ulong)Vector, m[GeneralRegister.Rsi]);
            Assert.Equal(InterruptMachine.MainCode, m.Memory.Read<ulong>(InterruptMachine.KernelStack - 40));
        }
    }

    [Fact]
    public void FaultOfTheCurrentInstructionIsDeliveredFirstThenTheHandlerRunsWithIfClear()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: true);
        using (m)
        {
            m.Emit(InterruptMachine.MainCode, a => a.ud2());
            Assert.Equal(ExitReason.InstructionLimit, m.Run(1));
            c.Pending = Vector;
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(6ul, m[GeneralRegister.Rsi]);
            Assert.Equal(0, c.Acknowledged);
        }
    }

    [Fact]
    public void AcknowledgeWithoutAVectorDeliversNothing()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: true);
        using (m)
        {
            c.Pending = Vector;
            c.AcknowledgeOverride = -1;
            m.Emit(InterruptMachine.MainCode, a =>
            {
                a.mov(ebx, 3);
                a.hlt();
            });
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(3ul, m[GeneralRegister.Rbx]);
            Assert.Equal(0ul, m[GeneralRegister.Rsi]);
        }
    }

    [Fact]
    public void RealModeUsesTheIvt()
    {
        (InterruptMachine m, FakeInterruptController c) = Create(interruptsEnabled: true);
        using (m)
        {
            ref CpuState s = ref m.State;
            s.Cr0 = Cr0Bits.ET;
            s.Efer = 0;
            s.Cr4 = 0;
            const uint realFlags = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed;
            s.Segment(SegmentRegister.Cs) = new SegmentCache(0, 0, 0xFFFF, realFlags | SegmentFlags.Code);
            s.Segment(SegmentRegister.Ss) = new SegmentCache(0, 0, 0xFFFF, realFlags);
            s.Segment(SegmentRegister.Ds) = new SegmentCache(0, 0, 0xFFFF, realFlags);
            s.Idtr = new DescriptorTable { Base = 0, Limit = 0x3FF };
            s.Cpl = 0;
            s.Rip = 0x1000;
            s.Register(GeneralRegister.Rsp) = 0x7000;
            s.Rflags = 0x2 | RflagsBits.IF;
            m.Memory.Write(0x08 * 4, 0x0200_0100u); // 0200:0100 = 0x2100
            m.Emit(0x2100, a =>
            {
                a.mov(bx, 0x1234);
                a.hlt();
            }, 16);
            m.Emit(0x1000, a => a.hlt(), 16);
            c.Pending = 0x08;
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(0x1234ul, m[GeneralRegister.Rbx] & 0xFFFF);
            Assert.Equal(0x6FFAul, m[GeneralRegister.Rsp]);
            Assert.Equal((ushort)0x1000, m.Memory.Read<ushort>(0x6FFA));
            Assert.Equal((ushort)0, m.Memory.Read<ushort>(0x6FFC));
            Assert.NotEqual(0, m.Memory.Read<ushort>(0x6FFE) & (int)RflagsBits.IF);
            Assert.Equal(0ul, s.Rflags & RflagsBits.IF);
        }
    }
}
