using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Segmentation;

public sealed class FastSystemCallTests
{
    private const ulong Entry = 0x3_0000;

    /// <summary>STAR as Linux sets it: SYSCALL CS 0x08 (SS 0x10... here 0x08+8), SYSRET base 0x1B so 64-bit CS = 0x2B.</summary>
    private static ulong Star => ((ulong)0x1B << 48) | ((ulong)InterruptMachine.KernelCode64 << 32);

    [Fact]
    public void SyscallWithoutSceIsUd()
    {
        using var m = new SegmentationMachine().Long();
        Assert.Equal(ExitReason.Exception, m.Run(a => a.syscall(), 64));
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Fault.Vector);
    }

    [Fact]
    public void SyscallAndSysretqRoundTripIn64BitMode()
    {
        using var m = new SegmentationMachine().Long();
        ref CpuState s = ref m.State;
        s.Efer |= EferBits.SCE;
        s.Star = Star;
        s.Lstar = Entry;
        s.Sfmask = RflagsBits.IF | RflagsBits.TF;
        m.Machine.Emit(Entry, a =>
        {
            a.mov(rbx, rcx);
            a.mov(rsi, r11);
            a.mov(edi, ss);
            a.sysretq();
        }, 64);
        m.Machine.EnterUser64(InterruptMachine.MainCode, 0x7_0000);
        s.Rflags = RflagsBits.Fixed1 | RflagsBits.IF;
        ulong next = m.Machine.Emit(InterruptMachine.MainCode, a =>
        {
            a.syscall();
            a.nop();
        }, 64);

        Assert.Equal(ExitReason.InstructionLimit, m.Machine.Run(6));
        Assert.Equal(next - 1, m[GeneralRegister.Rbx]);
        Assert.Equal(RflagsBits.Fixed1 | RflagsBits.IF, m[GeneralRegister.Rsi]);
        Assert.Equal((ulong)InterruptMachine.KernelCode64 + 8, m[GeneralRegister.Rdi]);
        Assert.Equal(3, s.Cpl);
        Assert.Equal(0x2B, s.Segment(SegmentRegister.Cs).Selector);
        Assert.Equal(0x23, s.Segment(SegmentRegister.Ss).Selector);
        Assert.True(s.In64BitMode);
        Assert.NotEqual(0ul, s.Rflags & RflagsBits.IF);
        Assert.Equal(next, s.Rip);
    }

    [Fact]
    public void SyscallMasksFlagsAndEntersRingZero()
    {
        using var m = new SegmentationMachine().Long();
        ref CpuState s = ref m.State;
        s.Efer |= EferBits.SCE;
        s.Star = Star;
        s.Lstar = Entry;
        s.Sfmask = RflagsBits.IF;
        m.Machine.EnterUser64(InterruptMachine.MainCode, 0x7_0000);
        s.Rflags = RflagsBits.Fixed1 | RflagsBits.IF;
        m.Machine.Emit(Entry, a => a.hlt(), 64);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.syscall(), 64));
        Assert.Equal(0, s.Cpl);
        Assert.Equal(0ul, s.Rflags & RflagsBits.IF);
        Assert.Equal(InterruptMachine.KernelCode64, s.Segment(SegmentRegister.Cs).Selector);
    }

    [Fact]
    public void SysretAboveRingZeroIsGp()
    {
        using var m = new SegmentationMachine().Long();
        m.State.Efer |= EferBits.SCE;
        m.Machine.EnterUser64(InterruptMachine.MainCode, 0x7_0000);
        Assert.Equal(ExitReason.Exception, m.Run(a => a.sysretq(), 64));
        m.AssertFault(ExceptionVector.GeneralProtection, 0);
    }

    [Fact]
    public void SysretToANonCanonicalRcxDoesNotFaultInRingZeroAsOnAmd()
    {
        using var m = new SegmentationMachine().Long();
        m.State.Efer |= EferBits.SCE;
        m.State.Star = Star;
        m[GeneralRegister.Rcx] = 0x0000_8000_0000_0000;
        m.Machine.Emit(InterruptMachine.MainCode, a => a.sysretq(), 64);
        Assert.Equal(ExitReason.InstructionLimit, m.Machine.Run(1));
        Assert.Equal(3, m.State.Cpl);
        Assert.Equal(0x0000_8000_0000_0000ul, m.State.Rip);
    }

    [Fact]
    public void LegacySyscallTakesEipFromStar()
    {
        using var m = new SegmentationMachine().Protected();
        m.State.Efer |= EferBits.SCE;
        m.State.Star = Star | (uint)Entry;
        m.Machine.Emit(Entry, a => a.hlt(), 32);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.syscall()));
        Assert.Equal(InterruptMachine.MainCode + 2, m[GeneralRegister.Rcx]);
        Assert.False(m.State.In64BitMode);
    }

    [Fact]
    public void SysenterAndSysexitInProtectedMode()
    {
        using var m = new SegmentationMachine().Protected();
        ref CpuState s = ref m.State;
        s.SysenterCs = InterruptMachine.KernelCode32;
        s.SysenterEsp = 0x9_0000;
        s.SysenterEip = Entry;
        m.Machine.Emit(Entry, a =>
        {
            a.mov(ebx, esp);
            a.mov(edx, (uint)InterruptMachine.MainCode + 0x100);
            a.mov(ecx, 0x7_0000);
            a.sysexit();
        }, 32);
        m.Machine.Emit(InterruptMachine.MainCode + 0x100, a => a.nop(), 32);
        Assert.Equal(ExitReason.InstructionLimit, m.Run(a => a.sysenter(), max: 5));
        Assert.Equal(0x9_0000ul, m[GeneralRegister.Rbx]);
        Assert.Equal(3, s.Cpl);
        Assert.Equal((ushort)((InterruptMachine.KernelCode32 + 16) | 3), s.Segment(SegmentRegister.Cs).Selector);
        Assert.Equal(0x7_0000ul, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void SysenterWithANullCsIsGpAndInLongModeIsUd()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a => a.sysenter()));
        m.AssertFault(ExceptionVector.GeneralProtection, 0);

        m.Long();
        m.State.SysenterCs = InterruptMachine.KernelCode64;
        Assert.Equal(ExitReason.Exception, m.Run(a => a.sysenter(), 64));
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Fault.Vector);
    }
}
