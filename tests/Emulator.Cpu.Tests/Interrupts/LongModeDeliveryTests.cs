using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Interrupts;

public sealed class LongModeDeliveryTests
{
    private const ulong HandlerA = 0x3_0000;
    private const ulong HandlerB = 0x3_1000;

    [Fact]
    public void InvalidOpcodeIsDeliveredAndIretqResumesPastIt()
    {
        using var m = new InterruptMachine();
        m.SetGate64(ExceptionVector.InvalidOpcode, HandlerA);
        m.Emit(HandlerA, a =>
        {
            a.mov(r8, __qword_ptr[rsp]);
            a.mov(r9, __qword_ptr[rsp + 8]);
            a.mov(r10, rsp);
            a.add(__qword_ptr[rsp], 2);
            a.iretq();
        });
        m.Emit(InterruptMachine.MainCode, a =>
        {
            a.ud2();
            a.mov(ebx, 0x1234);
            a.hlt();
        });
        m.State.Rflags |= RflagsBits.IF;

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(InterruptMachine.MainCode, m[GeneralRegister.R8]);
        Assert.Equal((ulong)FlatModeSetup.CodeSelector64, m[GeneralRegister.R9]);
        Assert.Equal(InterruptMachine.KernelStack - 40, m[GeneralRegister.R10]);
        Assert.Equal(0x1234ul, m[GeneralRegister.Rbx]);
        Assert.Equal(InterruptMachine.KernelStack, m[GeneralRegister.Rsp]);
        Assert.True((m.State.Rflags & RflagsBits.IF) != 0, "IRETQ restores IF");
    }

    [Fact]
    public void InterruptGateClearsIfTrapGateKeepsIt()
    {
        foreach ((int type, bool ifSet) in new[] { (0xE, false), (0xF, true) })
        {
            using var m = new InterruptMachine();
            m.SetGate64(ExceptionVector.InvalidOpcode, HandlerA, type);
            m.Emit(HandlerA, a => a.hlt());
            m.Emit(InterruptMachine.MainCode, a => a.ud2());
            m.State.Rflags |= RflagsBits.IF | RflagsBits.TF;
            Assert.Equal(ExitReason.Halted, m.Run());
            Assert.Equal(ifSet, (m.State.Rflags & RflagsBits.IF) != 0);
            Assert.Equal(0ul, m.State.Rflags & RflagsBits.TF);
        }
    }

    [Fact]
    public void DivideErrorIsDeliveredWithFaultingRip()
    {
        using var m = new InterruptMachine();
        m.SetGate64(ExceptionVector.DivideError, HandlerA);
        m.Emit(HandlerA, a =>
        {
            a.mov(r8, __qword_ptr[rsp]);
            a.add(__qword_ptr[rsp], 2);
            a.iretq();
        });
        m.Emit(InterruptMachine.MainCode, a =>
        {
            a.xor(ecx, ecx);
            a.div(ecx);
            a.mov(ebx, 7);
            a.hlt();
        });

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(InterruptMachine.MainCode + 2, m[GeneralRegister.R8]);
        Assert.Equal(7ul, m[GeneralRegister.Rbx]);
    }

    [Fact]
    public void SoftwareInterruptFromUserSwitchesToRsp0AndIretqReturnsToUser()
    {
        using var m = new InterruptMachine();
        const ulong userCode = 0x5_0000;
        const ulong userStack = 0x7_0000;
        const ulong rsp0 = 0x9_0000;
        m.SetTss64(4, rsp0);
        m.SetGate64(0x80, HandlerA, dpl: 3);
        m.SetGate64(ExceptionVector.InvalidOpcode, HandlerB);
        m.Emit(HandlerA, a =>
        {
            a.mov(r9, rsp);
            a.mov(r10, __qword_ptr[rsp + 8]);
            a.mov(r11, __qword_ptr[rsp + 24]);
            a.mov(r12, __qword_ptr[rsp + 32]);
            a.mov(eax, 42);
            a.iretq();
        });
        m.Emit(HandlerB, a =>
        {
            a.mov(r13, __qword_ptr[rsp + 8]);
            a.mov(r14, __qword_ptr[rsp + 24]);
            a.hlt();
        });
        m.Emit(userCode, a =>
        {
            a.@int(0x80);
            a.mov(ebx, eax);
            a.ud2();
        });
        m.EnterUser64(userCode, userStack);

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(rsp0 - 40, m[GeneralRegister.R9]);
        Assert.Equal((ulong)InterruptMachine.UserCode64, m[GeneralRegister.R10]);
        Assert.Equal(userStack, m[GeneralRegister.R11]);
        Assert.Equal((ulong)InterruptMachine.UserData, m[GeneralRegister.R12]);
        Assert.Equal(42ul, m[GeneralRegister.Rbx]);

        // The #UD after the return came from CPL 3 on the user stack, and its handler runs at CPL 0.
        Assert.Equal((ulong)InterruptMachine.UserCode64, m[GeneralRegister.R13]);
        Assert.Equal(userStack, m[GeneralRegister.R14]);
        Assert.Equal(0, m.State.Cpl);
        Assert.Equal(InterruptMachine.KernelCode64, m.State.Segment(SegmentRegister.Cs).Selector);
    }

    [Fact]
    public void IstAlwaysSwitchesStacksAlignedTo16()
    {
        using var m = new InterruptMachine();
        m.SetTss64(0x24 + 8, 0xA_0008); // IST2
        m.SetGate64(ExceptionVector.InvalidOpcode, HandlerA, ist: 2);
        m.Emit(HandlerA, a =>
        {
            a.mov(r9, rsp);
            a.mov(r10, __qword_ptr[rsp + 24]);
            a.hlt();
        });
        m.Emit(InterruptMachine.MainCode, a => a.ud2());

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(0xA_0000ul - 40, m[GeneralRegister.R9]);
        Assert.Equal(InterruptMachine.KernelStack, m[GeneralRegister.R10]);
    }

    [Fact]
    public void SoftwareInterruptThroughDpl0GateFromUserIsGeneralProtection()
    {
        using var m = new InterruptMachine();
        const ulong userCode = 0x5_0000;
        m.SetTss64(4, 0x9_0000);
        m.SetGate64(0x81, HandlerB);
        m.SetGate64(ExceptionVector.GeneralProtection, HandlerA);
        m.Emit(HandlerA, a =>
        {
            a.mov(r8, __qword_ptr[rsp]);
            a.mov(r9, __qword_ptr[rsp + 8]);
            a.hlt();
        });
        m.Emit(HandlerB, a => a.hlt());
        m.Emit(userCode, a => a.@int(0x81));
        m.EnterUser64(userCode, 0x7_0000);

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal((0x81ul * 8) + 2, m[GeneralRegister.R8]);
        Assert.Equal(userCode, m[GeneralRegister.R9]);
    }

    [Fact]
    public void NotPresentGateForAnExceptionIsNpWithIdtAndExtBits()
    {
        using var m = new InterruptMachine();
        m.SetGate64(ExceptionVector.InvalidOpcode, HandlerB, present: false);
        m.SetGate64(ExceptionVector.SegmentNotPresent, HandlerA);
        m.Emit(HandlerA, a =>
        {
            a.mov(r8, __qword_ptr[rsp]);
            a.hlt();
        });
        m.Emit(InterruptMachine.MainCode, a => a.ud2());

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal((6ul * 8) + 2 + 1, m[GeneralRegister.R8]);
    }

    [Fact]
    public void PageFaultWithNotPresentGateBecomesDoubleFault()
    {
        using var m = new InterruptMachine();
        m.SetGate64(ExceptionVector.PageFault, HandlerB, present: false);
        m.SetGate64(ExceptionVector.SegmentNotPresent, HandlerB);
        m.SetGate64(ExceptionVector.DoubleFault, HandlerA);
        m.Emit(HandlerA, a =>
        {
            a.mov(r8, __qword_ptr[rsp]);
            a.mov(r9, __qword_ptr[rsp + 8]);
            a.hlt();
        });
        m.Emit(HandlerB, a => a.ud2());
        m.Emit(InterruptMachine.MainCode, a =>
        {
            a.mov(rsi, 0x4000_0000);
            a.mov(rax, __qword_ptr[rsi]);
        });

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(0ul, m[GeneralRegister.R8]);
        Assert.Equal(InterruptMachine.MainCode + 10, m[GeneralRegister.R9]);
        Assert.Equal(0x4000_0000ul, m.State.Cr2);
    }

    [Fact]
    public void FaultWhileDeliveringDoubleFaultIsTripleFault()
    {
        using var m = new InterruptMachine();
        m.Emit(InterruptMachine.MainCode, a =>
        {
            a.nop();
            a.ud2();
        });

        Assert.Equal(ExitReason.TripleFault, m.Run());
        Assert.Equal(InterruptMachine.MainCode + 1, m.State.Rip);
        // An all-zero gate is no interrupt or trap gate: #GP(IDT, EXT) before any present check.
        Assert.Equal(ExceptionVector.GeneralProtection, m.Interpreter.LastFault.Vector);
        Assert.Equal((8u * 8) + 2 + 1, m.Interpreter.LastFault.ErrorCode);
        Assert.Equal(1, m.Interpreter.InstructionCount);
    }

    [Fact]
    public void WithoutOptInAFaultStillEndsTheRun()
    {
        using var m = new InterruptMachine();
        m.Interpreter.DeliverExceptions = false;
        m.SetGate64(ExceptionVector.InvalidOpcode, HandlerA);
        m.Emit(HandlerA, a => a.hlt());
        m.Emit(InterruptMachine.MainCode, a => a.ud2());

        Assert.Equal(ExitReason.Exception, m.Run());
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Interpreter.LastFault.Vector);
        Assert.Equal(InterruptMachine.MainCode, m.State.Rip);
    }

    [Fact]
    public void Int3IsDeliveredWithRipPastIt()
    {
        using var m = new InterruptMachine();
        m.SetGate64(ExceptionVector.Breakpoint, HandlerA, type: 0xF);
        m.Emit(HandlerA, a =>
        {
            a.mov(r8, __qword_ptr[rsp]);
            a.iretq();
        });
        m.Emit(InterruptMachine.MainCode, a =>
        {
            a.int3();
            a.hlt();
        });

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(InterruptMachine.MainCode + 1, m[GeneralRegister.R8]);
        Assert.Equal(InterruptMachine.MainCode + 2, m.State.Rip);
    }

    [Fact]
    public void IretqAtCpl3CannotChangeIfOrIopl()
    {
        using var m = new InterruptMachine();
        const ulong userCode = 0x5_0000;
        m.SetTss64(4, 0x9_0000);
        m.SetGate64(ExceptionVector.InvalidOpcode, HandlerA);
        m.Emit(HandlerA, a =>
        {
            a.mov(r8, __qword_ptr[rsp + 16]);
            a.hlt();
        });
        m.Emit(userCode, a =>
        {
            Iced.Intel.Label target = a.CreateLabel();
            a.mov(rax, rsp);
            a.push(InterruptMachine.UserData);
            a.push(rax);
            a.push(0x3000 | 0x2 | 0x1); // IOPL 3, IF clear, CF
            a.push(InterruptMachine.UserCode64);
            a.lea(rcx, __qword_ptr[target]);
            a.push(rcx);
            a.iretq();
            a.Label(ref target);
            a.ud2();
        });
        m.EnterUser64(userCode, 0x7_0000);
        m.State.Rflags |= RflagsBits.IF;

        Assert.Equal(ExitReason.Halted, m.Run());
        ulong flags = m[GeneralRegister.R8];
        Assert.True((flags & RflagsBits.IF) != 0, "IF kept at CPL 3 > IOPL");
        Assert.Equal(0ul, flags & (3UL << 12));
        Assert.Equal(RflagsBits.CF, flags & RflagsBits.CF);
    }
}
