using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Segmentation;

public sealed class FarTransferTests
{
    private const byte Gp = ExceptionVector.GeneralProtection;
    private const ulong Target = 0x3_0000;

    /// <summary>A legacy call gate (type 4 or 12) with <paramref name="parameters"/> to copy.</summary>
    private static ulong Gate32(ushort selector, uint offset, int dpl, int parameters = 0, int type = 12) =>
        (offset & 0xFFFF) | ((ulong)selector << 16) | ((ulong)parameters << 32) | ((ulong)type << 40) | ((ulong)dpl << 45) | (1UL << 47)
        | ((ulong)(offset >> 16) << 48);

    [Fact]
    public void RealModeFarJumpLoadsCsBase()
    {
        using var m = new SegmentationMachine().Real();
        m.Machine.Emit(0x2_0010, a => a.hlt(), 16);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.jmp(0x2000, 0x10), 16));
        Assert.Equal(0x2000, m.State.Segment(SegmentRegister.Cs).Selector);
        Assert.Equal(0x2_0000ul, m.State.Segment(SegmentRegister.Cs).Base);
        Assert.Equal(0x11ul, m.State.Rip);
    }

    [Fact]
    public void RealModeFarCallAndRetfRoundTrip()
    {
        using var m = new SegmentationMachine().Real();
        m.Machine.Emit(0x2_0000, a =>
        {
            a.mov(ax, cs);
            a.retf();
        }, 16);
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.call(0x2000, 0);
            a.mov(bx, sp);
            a.hlt();
        }, 16));
        Assert.Equal(0x2000ul, m[GeneralRegister.Rax] & 0xFFFF);
        Assert.Equal(0x8000ul, m[GeneralRegister.Rbx] & 0xFFFF);
        Assert.Equal(0x1000, m.State.Segment(SegmentRegister.Cs).Selector);
    }

    [Fact]
    public void ProtectedFarCallToSixteenBitCodeAndBack()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.Emit(0x8000, a =>
        {
            a.mov(ax, 0x1234);
            a.db(0x66, 0xCB); // retfd from 16-bit code
        }, 16);
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.call(SegmentationMachine.Code16, 0x8000);
            a.mov(ebx, esp);
            a.hlt();
        }));
        Assert.Equal(0x1234ul, m[GeneralRegister.Rax] & 0xFFFF);
        Assert.Equal(InterruptMachine.KernelStack, m[GeneralRegister.Rbx]);
        Assert.Equal(FlatModeSetup.CodeSelector32, m.State.Segment(SegmentRegister.Cs).Selector);
    }

    [Theory]
    [InlineData(SegmentationMachine.UserCode32, Gp, SegmentationMachine.UserCode32)]
    [InlineData(InterruptMachine.KernelCode32 | 3, Gp, InterruptMachine.KernelCode32)]
    [InlineData(InterruptMachine.KernelData, Gp, InterruptMachine.KernelData)]
    [InlineData(0, Gp, 0)]
    public void FarJumpPrivilegeAndTypeRules(ushort selector, byte vector, ushort error)
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a => a.jmp(selector, 0x100)));
        m.AssertFault(vector, error);
        Assert.Equal(InterruptMachine.MainCode, m.State.Rip);
    }

    [Fact]
    public void IretWithNestedTaskToAnAvailableBackLinkIsTs()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.Memory.Write(InterruptMachine.TssBase, (ushort)SegmentationMachine.SpareTss);
        m.State.Rflags |= RflagsBits.NT;
        Assert.Equal(ExitReason.Exception, m.Run(a => a.iretd()));
        m.AssertFault(ExceptionVector.InvalidTss, SegmentationMachine.SpareTss);
    }

    [Fact]
    public void FarJumpToANotPresentCodeSegmentIsNp()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.SetDescriptor(SegmentationMachine.MissingData, InterruptMachine.Descriptor(0, 0xFFFFF, InterruptMachine.Code32Flags & ~SegmentFlags.Present));
        Assert.Equal(ExitReason.Exception, m.Run(a => a.jmp(SegmentationMachine.MissingData, 0x100)));
        m.AssertFault(ExceptionVector.SegmentNotPresent, SegmentationMachine.MissingData);
    }

    [Fact]
    public void FarJumpPastTheLimitIsGpZero()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a => a.jmp(SegmentationMachine.Code16, 0x1_0000)));
        m.AssertFault(Gp, 0);
    }

    [Fact]
    public void ConformingCodeKeepsTheCurrentPrivilege()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.SetDescriptor(SegmentationMachine.ConformingCode, InterruptMachine.Descriptor(0, 0xFFFFF, InterruptMachine.Code32Flags | SegmentFlags.ConformingOrExpandDown));
        m.State.Segment(SegmentRegister.Cs) = new SegmentCache(SegmentationMachine.UserCode32 | 3, 0, 0xFFFF_FFFF, InterruptMachine.Code32Flags | InterruptMachine.Dpl3);
        m.State.Cpl = 3;
        m.Machine.Emit(Target, a => a.nop(), 32);
        m.Machine.Emit(InterruptMachine.MainCode, a => a.jmp(SegmentationMachine.ConformingCode, (uint)Target), 32);
        Assert.Equal(ExitReason.InstructionLimit, m.Machine.Run(2));
        Assert.Equal(SegmentationMachine.ConformingCode | 3, m.State.Segment(SegmentRegister.Cs).Selector);
        Assert.Equal(3, m.State.Cpl);
        Assert.Equal(Target + 1, m.State.Rip);
    }

    [Fact]
    public void FarJumpFromCompatibilityModeEntersSixtyFourBitModeAndBack()
    {
        using var m = new SegmentationMachine().Long();
        m.State.Segment(SegmentRegister.Cs) = new SegmentCache(InterruptMachine.KernelCode32, 0, 0xFFFF_FFFF, InterruptMachine.Code32Flags);
        m.Machine.Emit(Target, a =>
        {
            a.mov(rax, 0x1234_5678_9ABC_DEF0);
            a.mov(__qword_ptr[0x3000], 0x4000);
            a.mov(__word_ptr[0x3004], InterruptMachine.KernelCode32);
            a.jmp(__fword_ptr[0x3000]);
        }, 64);
        m.Machine.Emit(0x4000, a => a.hlt(), 32);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.jmp(InterruptMachine.KernelCode64, (uint)Target)));
        Assert.Equal(0x1234_5678_9ABC_DEF0ul, m[GeneralRegister.Rax]);
        Assert.False(m.State.In64BitMode);
        Assert.Equal(InterruptMachine.KernelCode32, m.State.Segment(SegmentRegister.Cs).Selector);
    }

    [Fact]
    public void CallGateToInnerPrivilegeSwitchesStacksCopiesParametersAndRetfReturns()
    {
        using var m = new SegmentationMachine().Protected();
        const uint userStack = 0x7_0000;
        const uint kernelStack = 0x9_0000;
        m.Machine.SetDescriptor(SegmentationMachine.Gate, Gate32(InterruptMachine.KernelCode32, (uint)Target, dpl: 3, parameters: 2));
        m.Machine.Memory.Write(InterruptMachine.TssBase + 4, kernelStack);
        m.Machine.Memory.Write(InterruptMachine.TssBase + 8, (uint)InterruptMachine.KernelData);
        m.State.Tr.Flags = SegmentFlags.Present | ((uint)SegmentFlags.TypeBusyTss << SegmentFlags.TypeShift);
        m.State.Segment(SegmentRegister.Cs) = new SegmentCache(SegmentationMachine.UserCode32 | 3, 0, 0xFFFF_FFFF, InterruptMachine.Code32Flags | InterruptMachine.Dpl3);
        m.State.Segment(SegmentRegister.Ss) = new SegmentCache(InterruptMachine.UserData, 0, 0xFFFF_FFFF, InterruptMachine.DataFlags | InterruptMachine.Dpl3);
        m.State.Segment(SegmentRegister.Ds) = new SegmentCache(InterruptMachine.UserData, 0, 0xFFFF_FFFF, InterruptMachine.DataFlags | InterruptMachine.Dpl3);
        m.State.Segment(SegmentRegister.Es) = new SegmentCache(InterruptMachine.KernelData, 0, 0xFFFF_FFFF, InterruptMachine.DataFlags);
        m.State.Cpl = 3;
        m[GeneralRegister.Rsp] = userStack;
        m.Machine.Emit(Target, a =>
        {
            a.mov(esi, esp);
            a.mov(edi, __dword_ptr[esp + 8]);
            a.mov(ebp, __dword_ptr[esp + 12]);
            a.mov(ecx, __dword_ptr[esp + 16]);
            a.mov(edx, ss);
            a.retf(8);
        }, 32);
        Assert.Equal(ExitReason.InstructionLimit, m.Machine.Run(0));
        m.Machine.Emit(InterruptMachine.MainCode, a =>
        {
            a.push(0x2222);
            a.push(0x1111);
            a.call((ushort)(SegmentationMachine.Gate | 3), 0);
            a.mov(ebx, esp);
            a.nop();
        }, 32);

        ExitReason reason = m.Machine.Run(11);
        Assert.True(reason == ExitReason.InstructionLimit, $"{m.Fault} at {m.State.Rip:X}");
        Assert.Equal(kernelStack - 24ul, m[GeneralRegister.Rsi]);
        Assert.Equal(0x1111ul, m[GeneralRegister.Rdi]);
        Assert.Equal(0x2222ul, m[GeneralRegister.Rbp]);
        Assert.Equal(userStack - 8ul, m[GeneralRegister.Rcx]);
        Assert.Equal((ulong)InterruptMachine.KernelData, m[GeneralRegister.Rdx]);
        Assert.Equal(3, m.State.Cpl);
        Assert.Equal(SegmentationMachine.UserCode32 | 3, m.State.Segment(SegmentRegister.Cs).Selector);
        Assert.Equal(InterruptMachine.UserData, m.State.Segment(SegmentRegister.Ss).Selector);
        Assert.Equal((ulong)userStack, m[GeneralRegister.Rbx]);
        Assert.Equal(0, m.State.Segment(SegmentRegister.Es).Selector);
        Assert.Equal(InterruptMachine.UserData, m.State.Segment(SegmentRegister.Ds).Selector);
    }

    [Fact]
    public void CallGateBelowTheCallersPrivilegeIsGp()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.SetDescriptor(SegmentationMachine.Gate, Gate32(InterruptMachine.KernelCode32, (uint)Target, dpl: 0));
        m.State.Segment(SegmentRegister.Cs) = new SegmentCache(SegmentationMachine.UserCode32 | 3, 0, 0xFFFF_FFFF, InterruptMachine.Code32Flags | InterruptMachine.Dpl3);
        m.State.Cpl = 3;
        Assert.Equal(ExitReason.Exception, m.Run(a => a.call(SegmentationMachine.Gate | 3, 0)));
        m.AssertFault(Gp, SegmentationMachine.Gate);
    }

    [Fact]
    public void SixtyFourBitCallGateFromUserModeAndRetfqBack()
    {
        using var m = new SegmentationMachine().Long();
        const ulong kernelStack = 0x9_0000;
        ulong low = Gate32(InterruptMachine.KernelCode64, (uint)Target, dpl: 3);
        m.Machine.SetDescriptor(SegmentationMachine.Gate, low);
        m.Machine.Memory.Write(InterruptMachine.GdtBase + SegmentationMachine.Gate + 8, 0ul);
        m.Machine.SetTss64(4, kernelStack);
        m.Machine.Emit(Target, a =>
        {
            a.mov(rsi, rsp);
            a.mov(rdi, __qword_ptr[rsp + 8]);
            a.mov(edx, ss);
            a.db(0x48, 0xCB); // retfq
        }, 64);
        m.Machine.EnterUser64(InterruptMachine.MainCode, 0x7_0000);
        m.Machine.Memory.Write(0x3000ul, 0u);
        m.Machine.Memory.Write(0x3004ul, (ushort)(SegmentationMachine.Gate | 3));
        m.Machine.Emit(InterruptMachine.MainCode, a =>
        {
            // REX.W CALL FAR [0x3000]: AMD (our CPUID vendor) has no m16:64 form and reads m16:32 (AMD APM vol. 3, CALL (Far)).
            a.db(0x48, 0xFF, 0x1C, 0x25, 0x00, 0x30, 0x00, 0x00);
            a.mov(rbx, rsp);
            a.nop();
        }, 64);

        Assert.Equal(ExitReason.InstructionLimit, m.Machine.Run(7));
        Assert.Equal(kernelStack - 32, m[GeneralRegister.Rsi]);
        Assert.Equal((ulong)InterruptMachine.UserCode64, m[GeneralRegister.Rdi]);
        Assert.Equal(0ul, m[GeneralRegister.Rdx]);
        Assert.Equal(3, m.State.Cpl);
        Assert.Equal(0x7_0000ul, m[GeneralRegister.Rbx]);
        Assert.True(m.State.In64BitMode);
    }

    [Fact]
    public void RetfToAnOuterLevelChecksThePoppedStack()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.push(InterruptMachine.KernelData); // SS with RPL 0 for a CPL 3 return
            a.push(0x7_0000);
            a.push(SegmentationMachine.UserCode32 | 3);
            a.push(0x100);
            a.retf();
        }));
        m.AssertFault(Gp, InterruptMachine.KernelData);
        Assert.Equal(0, m.State.Cpl);
    }
}
