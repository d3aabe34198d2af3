using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Interrupts;

public sealed class LegacyModeDeliveryTests
{
    private const uint Handler = 0x3_0000;

    [Fact]
    public void ProtectedModeSamePrivilegeIntAndIretd()
    {
        using var m = new InterruptMachine();
        FlatModeSetup.Protected32(ref m.State, InterruptMachine.MainCode, InterruptMachine.KernelStack);
        m.State.Idtr.Limit = (256 * 8) - 1;
        m.SetGate32(0x30, Handler);
        m.Emit(Handler, a =>
        {
            a.mov(eax, 0x77);
            a.mov(ecx, __dword_ptr[esp + 4]);
            a.mov(edx, esp);
            a.iretd();
        }, 32);
        m.Emit(InterruptMachine.MainCode, a =>
        {
            a.@int(0x30);
            a.mov(ebx, eax);
            a.hlt();
        }, 32);

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(0x77ul, m[GeneralRegister.Rbx]);
        Assert.Equal((ulong)InterruptMachine.KernelCode32, m[GeneralRegister.Rcx]);
        Assert.Equal(InterruptMachine.KernelStack - 12, m[GeneralRegister.Rdx]);
        Assert.Equal(InterruptMachine.KernelStack, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void ProtectedModeInnerPrivilegeUsesTssStackAndIretdReturnsOutward()
    {
        using var m = new InterruptMachine();
        const ushort userCode32 = 0x2B;
        const ulong userCode = 0x5_0000;
        const uint userStack = 0x7_0000;
        m.SetDescriptor(userCode32, InterruptMachine.Descriptor(0, 0xFFFFF, InterruptMachine.Code32Flags | InterruptMachine.Dpl3));
        FlatModeSetup.Protected32(ref m.State, userCode, userStack);
        m.State.Idtr.Limit = (256 * 8) - 1;
        m.State.Segment(SegmentRegister.Cs) = new SegmentCache(userCode32, 0, 0xFFFF_FFFF, InterruptMachine.Code32Flags | InterruptMachine.Dpl3);
        m.State.Segment(SegmentRegister.Ss) = new SegmentCache(InterruptMachine.UserData, 0, 0xFFFF_FFFF, InterruptMachine.DataFlags | InterruptMachine.Dpl3);
        m.State.Cpl = 3;
        m.Memory.Write(InterruptMachine.TssBase + 4, 0x9_0000u);
        m.Memory.Write(InterruptMachine.TssBase + 8, (ushort)InterruptMachine.KernelData);
        m.SetGate32(0x40, Handler, dpl: 3);
        m.SetGate32(ExceptionVector.InvalidOpcode, Handler + 0x100);
        m.Emit(Handler, a =>
        {
            a.mov(ecx, __dword_ptr[esp + 12]);
            a.mov(edx, __dword_ptr[esp + 16]);
            a.mov(esi, esp);
            a.iretd();
        }, 32);
        m.Emit(Handler + 0x100, a =>
        {
            a.mov(edi, __dword_ptr[esp + 4]);
            a.hlt();
        }, 32);
        m.Emit(userCode, a =>
        {
            a.@int(0x40);
            a.mov(ebp, esp);
            a.ud2();
        }, 32);

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal((ulong)userStack, m[GeneralRegister.Rcx]);
        Assert.Equal((ulong)InterruptMachine.UserData, m[GeneralRegister.Rdx]);
        Assert.Equal(0x9_0000ul - 20, m[GeneralRegister.Rsi]);
        Assert.Equal((ulong)userStack, m[GeneralRegister.Rbp]);
        Assert.Equal((ulong)userCode32, m[GeneralRegister.Rdi]);
        Assert.Equal(0, m.State.Cpl);
    }

    [Fact]
    public void RealModeIntThroughIvtAndIret()
    {
        using var m = new InterruptMachine();
        ref CpuState s = ref m.State;
        const uint realData = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed;
        for (int i = 0; i < SegmentFile.Count; i++)
        {
            s.Segments[i] = new SegmentCache(0, 0, 0xFFFF, realData);
        }

        s.Segment(SegmentRegister.Cs) = new SegmentCache(0, 0, 0xFFFF, realData | SegmentFlags.Code);
        s.Cr0 = Cr0Bits.ET;
        s.Cr4 = 0;
        s.Efer = 0;
        s.Cpl = 0;
        s.Rip = 0x1000;
        s.Register(GeneralRegister.Rsp) = 0x7000;
        s.Rflags = RflagsBits.Fixed1 | RflagsBits.IF;
        s.Idtr = new DescriptorTable { Base = 0, Limit = 0x3FF };
        m.Memory.Write(0x21 * 4, 0x0200_0010u); // 0200:0010
        m.Emit(0x2010, a =>
        {
            a.mov(ax, 0x55AA);
            a.pushf();
            a.pop(cx);
            a.mov(dx, sp);
            a.mov(bp, sp);
            a.mov(bx, __word_ptr[bp + 2]);
            a.mov(di, __word_ptr[bp]);
            a.iret();
        }, 16);
        m.Emit(0x1000, a =>
        {
            a.@int(0x21);
            a.hlt();
        }, 16);

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(0x55AAul, m[GeneralRegister.Rax]);
        Assert.Equal(0ul, m[GeneralRegister.Rbx]);
        Assert.Equal(0x1002ul, m[GeneralRegister.Rdi]);
        Assert.Equal(0ul, m[GeneralRegister.Rcx] & RflagsBits.IF);
        Assert.Equal(0x7000ul - 6, m[GeneralRegister.Rdx] & 0xFFFF);
        Assert.Equal(0x7000ul, m[GeneralRegister.Rsp]);
        Assert.Equal(0x1003ul, m.State.Rip);
        Assert.Equal(0, m.State.Segment(SegmentRegister.Cs).Selector);
        Assert.True((m.State.Rflags & RflagsBits.IF) != 0);
    }

    [Fact]
    public void RealModeDivideErrorIsDeliveredThroughIvt()
    {
        using var m = new InterruptMachine();
        ref CpuState s = ref m.State;
        for (int i = 0; i < SegmentFile.Count; i++)
        {
            s.Segments[i] = new SegmentCache(0, 0, 0xFFFF, SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable);
        }

        s.Cr0 = Cr0Bits.ET;
        s.Efer = 0;
        s.Rip = 0x1000;
        s.Register(GeneralRegister.Rsp) = 0x7000;
        s.Idtr = new DescriptorTable { Base = 0, Limit = 0x3FF };
        m.Memory.Write(0, 0x0000_3000u);
        m.Emit(0x3000, a =>
        {
            a.mov(bp, sp);
            a.mov(si, __word_ptr[bp]);
            a.hlt();
        }, 16);
        m.Emit(0x1000, a =>
        {
            a.xor(cx, cx);
            a.div(cx);
        }, 16);

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(0x1002ul, m[GeneralRegister.Rsi]);
        Assert.Equal(0x7000ul - 6, m[GeneralRegister.Rsp]);
    }
}
