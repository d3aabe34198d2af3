using Emulator.Cpu.Tests.Paging;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Interrupts;

public sealed class PagedDeliveryTests
{
    [Fact]
    public void PageFaultWritesCr2AndPushesErrorCode()
    {
        using var tables = new PageTableBuilder();
        tables.Map(0, 0, PageTableBuilder.P | PageTableBuilder.RW | PageTableBuilder.A | PageTableBuilder.D, leafLevel: 2);
        using var m = new InterruptMachine(tables.Memory, (memory, vcpu) => new PagedMemory(memory, vcpu));
        m.State.Cr3 = tables.Root;
        const ulong handler = 0x3_0000;
        m.SetGate64(ExceptionVector.PageFault, handler);
        m.Emit(handler, a =>
        {
            a.mov(rax, cr2);
            a.mov(rbx, __qword_ptr[rsp]);
            a.add(rsp, 8);
            a.add(__qword_ptr[rsp], 3);
            a.iretq();
        });
        m.Emit(InterruptMachine.MainCode, a =>
        {
            a.mov(rsi, 0x4000_0123);
            a.mov(rdx, __qword_ptr[rsi]);
            a.mov(ecx, 9);
            a.hlt();
        });

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(0x4000_0123ul, m[GeneralRegister.Rax]);
        Assert.Equal(0x4000_0123ul, m.State.Cr2);
        Assert.Equal(0ul, m[GeneralRegister.Rbx]);
        Assert.Equal(9ul, m[GeneralRegister.Rcx]);
        Assert.Equal(InterruptMachine.KernelStack, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void NonPresentIdtPageDuringPageFaultIsTripleFaultEventually()
    {
        using var tables = new PageTableBuilder();
        tables.Map(0, 0, PageTableBuilder.P | PageTableBuilder.RW | PageTableBuilder.A | PageTableBuilder.D, leafLevel: 2);
        using var m = new InterruptMachine(tables.Memory, (memory, vcpu) => new PagedMemory(memory, vcpu));
        m.State.Cr3 = tables.Root;
        m.State.Idtr.Base = 0x4000_0000; // unmapped: every gate read is a #PF
        m.Emit(InterruptMachine.MainCode, a => a.ud2());

        Assert.Equal(ExitReason.TripleFault, m.Run());
        Assert.Equal(ExceptionVector.PageFault, m.Interpreter.LastFault.Vector);
        Assert.Equal(InterruptMachine.MainCode, m.State.Rip);
    }
}
