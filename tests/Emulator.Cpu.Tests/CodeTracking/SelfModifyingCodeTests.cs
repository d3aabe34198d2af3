using Emulator.Cpu.Tests.Execution;
using Iced.Intel;
using static Emulator.Cpu.Tests.Paging.PageTableBuilder;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.CodeTracking;

/// <summary>
/// Writes to decoded code, by the guest (same block, later block, an aliased mapping, string
/// instructions) and from outside (another thread), must be seen by the next fetch.
/// </summary>
public sealed class SelfModifyingCodeTests
{
    [Fact]
    public void WriteIntoTheRestOfTheSameBlockIsSeen()
    {
        using var m = new TestMachine();
        m.Load(asm =>
        {
            Label target = asm.CreateLabel();

            // Patches the imm32 of the mov below, three instructions further in the same block.
            asm.lea(rsi, __[target]);
            asm.mov(__dword_ptr[rsi + 1], 0x77);
            asm.nop();
            asm.Label(ref target);
            asm.mov(eax, 0x11);
        });
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(100));
        Assert.Equal(0x77ul, m[GeneralRegister.Rax]);
    }

    [Fact]
    public void WriteToAnEarlierBlockIsSeenWhenItRunsAgain()
    {
        using var m = new TestMachine();
        m.Load(asm =>
        {
            Label body = asm.CreateLabel();
            Label done = asm.CreateLabel();
            asm.xor(ebx, ebx);
            asm.mov(ecx, 2);
            asm.Label(ref body);
            asm.mov(edx, 5);
            asm.add(ebx, edx);
            asm.lea(rsi, __[body]);
            asm.mov(__dword_ptr[rsi + 1], 1000);
            asm.dec(ecx);
            asm.jz(done);
            asm.jmp(body);
            asm.Label(ref done);
        });
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(100));
        Assert.Equal(1005ul, m[GeneralRegister.Rbx]);
    }

    [Fact]
    public void StringInstructionOverwritingCodeIsSeen()
    {
        using var m = new TestMachine();
        m.Load(asm =>
        {
            Label patch = asm.CreateLabel();
            asm.lea(rdi, __[patch]);
            asm.mov(al, 0x90);
            asm.mov(ecx, 5);
            asm.rep.stosb();
            asm.mov(ebx, 1);
            asm.Label(ref patch);
            asm.mov(ebx, 0x99); // 5 bytes, all replaced by NOPs
        });
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(100));
        Assert.Equal(1ul, m[GeneralRegister.Rbx]);
    }

    [Fact]
    public void WriteThroughAnAliasedLinearMappingIsSeen()
    {
        using var m = new PagedMachine();
        const ulong alias = 0x60_0000;
        m.Tables.Map(alias, PagedMachine.CodeBase & ~0xFFFUL, P | RW | A | D);
        byte[] code = PagedMachine.Assemble(PagedMachine.CodeBase, a =>
        {
            Label patched = a.CreateLabel();
            a.mov(eax, 0x11);
            a.Label(ref patched);
            a.hlt();
        });
        m.Tables.Memory.Write(PagedMachine.CodeBase, code);
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(0x11ul, m[GeneralRegister.Rax]);

        // The page is now code: its TLB entries are slow-path, and a write through the alias is seen.
        Assert.True(m.Memory.CodePages.IsCode(PagedMachine.CodeBase));
        ulong offset = PagedMachine.CodeBase & 0xFFF;
        Assert.True(m.Memory.TryWrite(alias + offset + 1, [0x22], MemoryAccess.Write, out _));
        m.State.Rip = PagedMachine.CodeBase;
        m.State.Halted = 0;
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(0x22ul, m[GeneralRegister.Rax]);
    }

    [Fact]
    public void GuestStoreThroughAliasInTheSameBlockIsSeen()
    {
        using var m = new PagedMachine();
        const ulong alias = 0x60_0000;
        m.Tables.Map(alias + (PagedMachine.CodeBase & ~0xFFFUL), PagedMachine.CodeBase & ~0xFFFUL, P | RW | A | D);
        byte[] code = PagedMachine.Assemble(PagedMachine.CodeBase, a =>
        {
            a.mov(rdi, alias + PagedMachine.CodeBase + 16);
            a.mov(__byte_ptr[rdi + 1], 0x33); // 10 + 4 bytes so far, padded to 16 below
            a.nop();
            a.nop();
            a.mov(eax, 0x11); // at +16: its immediate is at +17
            a.hlt();
        });
        Assert.Equal(0xB8, code[16]);
        m.Tables.Memory.Write(PagedMachine.CodeBase, code);
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(0x33ul, m[GeneralRegister.Rax]);
    }

    [Fact]
    public async Task ExternalWriterInvalidatesFromAnotherThread()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm => asm.mov(eax, 1));
        m.Memory.Write(TestMachine.CodeBase + 1, new byte[] { 2 });
        await Task.Run(() => m.Interpreter.InvalidatePhysical(TestMachine.CodeBase + 1, 1));
        m.State.Rip = TestMachine.CodeBase;
        m.State.Halted = 0;
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(2ul, m[GeneralRegister.Rax]);
    }

    [Fact]
    public void HugeExternalRangeDropsOnlyCodeItCovers()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm => asm.mov(eax, 1));
        Assert.NotEqual(0, m.Interpreter.Blocks.Count);
        m.Interpreter.InvalidatePhysical(TestMachine.CodeBase + 0x1000, ulong.MaxValue - TestMachine.CodeBase - 0x1000);
        m.Interpreter.Blocks.ApplyPendingWrites();
        Assert.NotEqual(0, m.Interpreter.Blocks.Count);
        m.Interpreter.InvalidatePhysical(0, ulong.MaxValue);
        m.Interpreter.Blocks.ApplyPendingWrites();
        Assert.Equal(0, m.Interpreter.Blocks.Count);
    }

    [Fact]
    public void DataWritesLeaveCodeAlone()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rdi, TestMachine.DataBase);
            asm.mov(__dword_ptr[rdi], 5);
        });
        int blocks = m.Interpreter.Blocks.Count;
        Assert.False(m.Interpreter.Blocks.Count == 0);
        Assert.False(((ICodeMemory)new FlatMemory(m.Memory)).CodePages.IsCode(TestMachine.DataBase));
        Assert.Equal(blocks, m.Interpreter.Blocks.Count);
    }

    [Fact]
    public void AliasedLinearAddressesShareThePhysicalPage()
    {
        using var m = new PagedMachine();
        const ulong alias = 0x60_0000;
        m.Tables.Map(alias, PagedMachine.CodeBase & ~0xFFFUL, P | A);
        m.Tables.Memory.Write(PagedMachine.CodeBase, PagedMachine.Assemble(0, a => { a.mov(eax, 7); a.hlt(); }));
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        m.State.Rip = alias + (PagedMachine.CodeBase & 0xFFF);
        m.State.Halted = 0;
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));

        // Different IPs decode separately, but one write to the physical page drops both.
        Assert.Equal(2, m.Interpreter.Blocks.Count);
        m.Interpreter.Blocks.InvalidatePage(PagedMachine.CodeBase);
        Assert.Equal(0, m.Interpreter.Blocks.Count);
    }

    [Fact]
    public void ImplicitSupervisorWriteToCodeIsSeen()
    {
        using var m = new PagedMachine();
        m.Tables.Memory.Write(PagedMachine.CodeBase, PagedMachine.Assemble(PagedMachine.CodeBase, a => { a.mov(eax, 1); a.hlt(); }));
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));

        // As a descriptor's accessed-bit update or a TSS field write would land there.
        Assert.True(m.Memory.TryWriteSystem(PagedMachine.CodeBase + 1, [9], out _));
        Assert.True(m.Memory.CodePages.HasPendingWrites);
        m.State.Rip = PagedMachine.CodeBase;
        m.State.Halted = 0;
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(9ul, m[GeneralRegister.Rax]);
    }
}
