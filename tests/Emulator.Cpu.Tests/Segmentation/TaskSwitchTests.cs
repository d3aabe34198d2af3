using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Segmentation;

/// <summary>
/// Hardware task switches (SDM vol. 3, 7.3) between the machine's current TSS (<see cref="InterruptMachine.TssSelector"/>,
/// busy) and <see cref="SegmentationMachine.SpareTss"/> (available, at <see cref="NewTss"/>): JMP, CALL, IRET with NT,
/// INT and exceptions through task gates, and the faults of each check.
/// </summary>
public sealed class TaskSwitchTests
{
    private const ulong NewTss = 0x700;
    private const ulong OldTss = InterruptMachine.TssBase;
    private const ulong TaskCode = 0x2_0000;
    private const uint TaskStack = 0x7_0000;
    private const ushort Old = InterruptMachine.TssSelector;
    private const ushort New = SegmentationMachine.SpareTss;
    private const uint TssFlags = SegmentFlags.Present | (9u << SegmentFlags.TypeShift);

    private static SegmentationMachine TwoTasks(ushort cs = InterruptMachine.KernelCode32, uint eflags = 0x2 | 0x1)
    {
        var m = new SegmentationMachine().Protected();
        GuestWrite(m, NewTss + 0x20, (uint)TaskCode);
        GuestWrite(m, NewTss + 0x24, eflags);
        for (uint i = 0; i < 8; i++)
        {
            GuestWrite(m, NewTss + 0x28 + (i * 4), 0x1000 + i);
        }

        GuestWrite(m, NewTss + 0x38, TaskStack);
        ushort[] segments = [InterruptMachine.KernelData, cs, InterruptMachine.KernelData, InterruptMachine.KernelData, 0, 0];
        for (uint i = 0; i < 6; i++)
        {
            GuestWrite(m, NewTss + 0x48 + (i * 4), (uint)segments[i]);
        }

        m[GeneralRegister.Rax] = 0xAAAA;
        m[GeneralRegister.Rbx] = 0xBBBB;
        m.Machine.Emit(TaskCode, a => a.hlt(), 32);
        return m;
    }

    private static void GuestWrite(SegmentationMachine m, ulong address, uint value) => m.Machine.Memory.Write(address, value);

    private static int DescriptorType(SegmentationMachine m, ushort selector) =>
        (m.Machine.Memory.Read<byte>(InterruptMachine.GdtBase + selector + 5u) & 0xF);

    private static void TaskGate(SegmentationMachine m, byte vector, int dpl = 0) =>
        m.Machine.Memory.Write(InterruptMachine.IdtBase + ((ulong)vector * 8), ((ulong)New << 16) | (5UL << 40) | ((ulong)dpl << 45) | (1UL << 47));

    private static void AssertInNewTask(SegmentationMachine m)
    {
        Assert.Equal(New, m.State.Tr.Selector);
        Assert.Equal(NewTss, m.State.Tr.Base);
        Assert.Equal(11, m.State.Tr.Type);
        Assert.Equal(11, DescriptorType(m, New));
        Assert.Equal(TaskCode + 1, m.State.Rip);
        Assert.Equal(0x1000ul, m[GeneralRegister.Rax]);
        Assert.Equal(0x1003ul, m[GeneralRegister.Rbx]);
        Assert.Equal((ulong)TaskStack, m[GeneralRegister.Rsp]);
        Assert.Equal(InterruptMachine.KernelCode32, m.State.Segment(SegmentRegister.Cs).Selector);
        Assert.Equal(InterruptMachine.KernelData, m.State.Segment(SegmentRegister.Ss).Selector);
        Assert.Equal(0, m.State.Segment(SegmentRegister.Fs).Selector);
        Assert.NotEqual(0ul, m.State.Cr0 & Cr0Bits.TS);
        Assert.NotEqual(0ul, m.State.Rflags & RflagsBits.CF);
        Assert.Equal(0xAAAAu, m.Machine.Memory.ReadU32(OldTss + 0x28));
        Assert.Equal(0xBBBBu, m.Machine.Memory.ReadU32(OldTss + 0x34));
        Assert.Equal((uint)FlatModeSetup.CodeSelector32, m.Machine.Memory.ReadU32(OldTss + 0x4C));
    }

    [Fact]
    public void FarCallToATssNestsTheNewTask()
    {
        using var m = TwoTasks();
        Assert.Equal(ExitReason.Halted, m.Run(a => a.call(New, 0)));
        AssertInNewTask(m);
        Assert.Equal(Old, m.Machine.Memory.ReadU16(NewTss));
        Assert.Equal(11, DescriptorType(m, Old));
        Assert.NotEqual(0ul, m.State.Rflags & RflagsBits.NT);
        Assert.Equal((uint)InterruptMachine.MainCode + 7, m.Machine.Memory.ReadU32(OldTss + 0x20));
    }

    [Fact]
    public void FarJumpToATssFreesTheOldTaskWithoutABackLink()
    {
        using var m = TwoTasks();
        m.State.Segment(SegmentRegister.Gs).Selector = InterruptMachine.KernelData;
        Assert.Equal(ExitReason.Halted, m.Run(a => a.jmp(New, 0)));
        AssertInNewTask(m);
        Assert.Equal(InterruptMachine.KernelData, m.Machine.Memory.ReadU16(OldTss + 0x5C));
        Assert.Equal(0, m.Machine.Memory.ReadU16(NewTss));
        Assert.Equal(9, DescriptorType(m, Old));
        Assert.Equal(0ul, m.State.Rflags & RflagsBits.NT);
    }

    [Fact]
    public void IretWithNtReturnsToTheCallingTask()
    {
        using var m = TwoTasks();
        m.Machine.Emit(TaskCode, a =>
        {
            a.mov(ebx, 0x1234);
            a.iretd();
        }, 32);
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.call(New, 0);
            a.mov(ecx, eax);
            a.hlt();
        }));
        Assert.Equal(Old, m.State.Tr.Selector);
        Assert.Equal(0xAAAAul, m[GeneralRegister.Rcx]);
        Assert.Equal(0xBBBBul, m[GeneralRegister.Rbx]);
        Assert.Equal(InterruptMachine.KernelStack, m[GeneralRegister.Rsp]);
        Assert.Equal(9, DescriptorType(m, New));
        Assert.Equal(11, DescriptorType(m, Old));
        Assert.Equal(0ul, m.State.Rflags & RflagsBits.NT);
        Assert.Equal(0x1234u, m.Machine.Memory.ReadU32(NewTss + 0x34));
        Assert.Equal(0u, m.Machine.Memory.ReadU32(NewTss + 0x24) & (uint)RflagsBits.NT);
        Assert.Equal((uint)TaskCode + 6, m.Machine.Memory.ReadU32(NewTss + 0x20));
    }

    [Fact]
    public void SoftwareInterruptThroughATaskGate()
    {
        using var m = TwoTasks();
        TaskGate(m, 0x40);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.@int(0x40)));
        AssertInNewTask(m);
        Assert.Equal(Old, m.Machine.Memory.ReadU16(NewTss));
        Assert.NotEqual(0ul, m.State.Rflags & RflagsBits.NT);
        Assert.Equal((uint)InterruptMachine.MainCode + 2, m.Machine.Memory.ReadU32(OldTss + 0x20));
    }

    [Fact]
    public void ExceptionThroughATaskGatePushesItsErrorCodeOnTheNewStack()
    {
        using var m = TwoTasks();
        m.Machine.Interpreter.DeliverExceptions = true;
        TaskGate(m, ExceptionVector.GeneralProtection);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.jmp(SegmentationMachine.UserCode32, 0)));
        Assert.Equal(New, m.State.Tr.Selector);
        Assert.Equal((ulong)TaskStack - 4, m[GeneralRegister.Rsp]);
        Assert.Equal((uint)SegmentationMachine.UserCode32, m.Machine.Memory.ReadU32(TaskStack - 4));
        Assert.Equal((uint)InterruptMachine.MainCode, m.Machine.Memory.ReadU32(OldTss + 0x20));
    }

    [Fact]
    public void SixteenBitTss()
    {
        using var m = TwoTasks();
        m.Machine.SetDescriptor(New, InterruptMachine.Descriptor((uint)NewTss, 0x2B, SegmentFlags.Present | (1u << SegmentFlags.TypeShift)));
        m.Machine.Memory.Write(NewTss + 0x0E, (ushort)0x100);
        m.Machine.Memory.Write(NewTss + 0x10, (ushort)0x3);
        m.Machine.Memory.Write(NewTss + 0x12, (ushort)0x5555);
        m.Machine.Memory.Write(NewTss + 0x1A, (ushort)0x8000);
        ushort[] segments = [InterruptMachine.KernelData, SegmentationMachine.Code16, InterruptMachine.KernelData, InterruptMachine.KernelData];
        for (uint i = 0; i < 4; i++)
        {
            m.Machine.Memory.Write(NewTss + 0x22 + (i * 2), segments[i]);
        }

        m.Machine.Memory.Write(NewTss + 0x2A, (ushort)0);
        m.Machine.Emit(0x100, a => a.hlt(), 16);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.jmp(New, 0)));
        Assert.Equal(3, m.State.Tr.Type);
        Assert.Equal(0x101ul, m.State.Rip);
        Assert.Equal(0x5555ul, m[GeneralRegister.Rax] & 0xFFFF);
        Assert.Equal(SegmentationMachine.Code16, m.State.Segment(SegmentRegister.Cs).Selector);
        Assert.Equal(9, DescriptorType(m, Old));
    }

    [Fact]
    public void JumpToABusyTssIsGp()
    {
        using var m = TwoTasks();
        Assert.Equal(ExitReason.Exception, m.Run(a => a.jmp(Old, 0)));
        m.AssertFault(ExceptionVector.GeneralProtection, Old);
        Assert.Equal(Old, m.State.Tr.Selector);
    }

    [Fact]
    public void CallToANotPresentTssIsNp()
    {
        using var m = TwoTasks();
        m.Machine.SetDescriptor(New, InterruptMachine.Descriptor((uint)NewTss, 0x67, TssFlags & ~SegmentFlags.Present));
        Assert.Equal(ExitReason.Exception, m.Run(a => a.call(New, 0)));
        m.AssertFault(ExceptionVector.SegmentNotPresent, New);
        Assert.Equal(0, m.Machine.Memory.ReadU16(NewTss));
    }

    [Fact]
    public void TssBelowTheMinimumLimitIsTs()
    {
        using var m = TwoTasks();
        m.Machine.SetDescriptor(New, InterruptMachine.Descriptor((uint)NewTss, 0x60, TssFlags));
        Assert.Equal(ExitReason.Exception, m.Run(a => a.jmp(New, 0)));
        m.AssertFault(ExceptionVector.InvalidTss, New);
        Assert.Equal(11, DescriptorType(m, Old));
    }

    [Fact]
    public void RplAboveTheTssDplIsGp()
    {
        using var m = TwoTasks();
        Assert.Equal(ExitReason.Exception, m.Run(a => a.jmp(New | 3, 0)));
        m.AssertFault(ExceptionVector.GeneralProtection, New);
    }

    [Fact]
    public void IretToAnAvailableBackLinkIsTs()
    {
        using var m = TwoTasks();
        m.Machine.Memory.Write(OldTss, (ushort)New);
        m.State.Rflags |= RflagsBits.NT;
        Assert.Equal(ExitReason.Exception, m.Run(a => a.iretd()));
        m.AssertFault(ExceptionVector.InvalidTss, New);
    }

    [Fact]
    public void ABadCodeSegmentInTheNewTaskFaultsAfterTheSwitch()
    {
        using var m = TwoTasks(cs: InterruptMachine.KernelData);
        Assert.Equal(ExitReason.Exception, m.Run(a => a.jmp(New, 0)));
        m.AssertFault(ExceptionVector.InvalidTss, InterruptMachine.KernelData);
        Assert.Equal(New, m.State.Tr.Selector);
        Assert.Equal(TaskCode, m.State.Rip);
    }

    [Fact]
    public void SoftwareInterruptThroughAMorePrivilegedTaskGateIsGp()
    {
        using var m = TwoTasks();
        TaskGate(m, 0x40, dpl: 0);
        m.State.Cpl = 3;
        Assert.Equal(ExitReason.Exception, m.Run(a => a.@int(0x40)));
        m.AssertFault(ExceptionVector.GeneralProtection, (0x40 * 8) + 2);
        Assert.Equal(Old, m.State.Tr.Selector);
    }

    [Fact]
    public void TaskGateInTheGdtSwitchesOnCall()
    {
        using var m = TwoTasks();
        const ushort gate = SegmentationMachine.Gate;
        m.Machine.SetDescriptor(gate, ((ulong)New << 16) | (5UL << 40) | (1UL << 47));
        Assert.Equal(ExitReason.Halted, m.Run(a => a.call(gate, 0)));
        AssertInNewTask(m);
        Assert.Equal(Old, m.Machine.Memory.ReadU16(NewTss));
    }
}
