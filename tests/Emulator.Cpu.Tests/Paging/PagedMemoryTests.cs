using static Emulator.Cpu.Tests.Paging.PageTableBuilder;

namespace Emulator.Cpu.Tests.Paging;

/// <summary>Linear accesses through TLB and walker: page splits, faults as values, CR3 reloads.</summary>
public sealed class PagedMemoryTests : IDisposable
{
    private readonly PageTableBuilder _tables = new();
    private readonly Vcpu _vcpu = new();
    private readonly PagedMemory _memory;

    public PagedMemoryTests()
    {
        ref CpuState s = ref _vcpu.State;
        s.Cr0 = Cr0Bits.PE | Cr0Bits.PG | Cr0Bits.WP;
        s.Cr4 = Cr4PagingBits.PAE | Cr4PagingBits.PGE;
        s.Efer = EferBits.LME | EferBits.LMA | EferBits.NXE;
        s.Cr3 = _tables.Root;
        _memory = new PagedMemory(_tables.Memory, _vcpu);
    }

    public void Dispose()
    {
        _vcpu.Dispose();
        _tables.Dispose();
    }

    [Fact]
    public void CrossPageAccessUsesBothFrames()
    {
        _tables.Map(0x1000, 0x30_0000, P | RW);
        _tables.Map(0x2000, 0x50_0000, P | RW);
        Assert.True(_memory.TryWrite(0x1FFE, [1, 2, 3, 4], MemoryAccess.Write, out _));
        Assert.Equal(0x0201, _tables.Memory.Read<ushort>(0x30_0FFE));
        Assert.Equal(0x0403, _tables.Memory.Read<ushort>(0x50_0000));
        var back = new byte[4];
        Assert.True(_memory.TryRead(0x1FFE, back, MemoryAccess.Read, out _));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, back);
    }

    [Fact]
    public void CrossPageWriteFaultingOnSecondPageWritesNothing()
    {
        _tables.Map(0x1000, 0x30_0000, P | RW);
        _tables.Map(0x2000, 0x50_0000, P);
        Assert.False(_memory.TryWrite(0x1FFC, [9, 9, 9, 9, 9, 9, 9, 9], MemoryAccess.Write, out CpuFault fault));
        Assert.Equal(ExceptionVector.PageFault, fault.Vector);
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.Write, fault.ErrorCode);
        Assert.Equal(0x2000UL, fault.Cr2);
        Assert.Equal(0U, _tables.Memory.Read<uint>(0x30_0FFC));
        Assert.Equal(0U, _tables.Memory.Read<uint>(0x50_0000));
    }

    [Fact]
    public void CrossPageReadFaultingOnSecondPageReportsItsAddress()
    {
        _tables.Map(0x1000, 0x30_0000, P | RW | US);
        _vcpu.State.Cpl = 3;
        var buffer = new byte[16];
        Assert.False(_memory.TryRead(0x1FF8, buffer, MemoryAccess.Read, out CpuFault fault));
        Assert.Equal(PageFaultErrorCode.User, fault.ErrorCode);
        Assert.Equal(0x2000UL, fault.Cr2);
    }

    [Fact]
    public void NonCanonicalGivesGeneralProtection()
    {
        Assert.False(_memory.TryRead(0x8000_0000_0000, new byte[1], MemoryAccess.Read, out CpuFault fault));
        Assert.Equal(ExceptionVector.GeneralProtection, fault.Vector);
    }

    [Fact]
    public void UnbackedPhysicalReadsAllOnesAndDropsWrites()
    {
        _tables.Map(0x1000, 0xFEC0_0000, P | RW);
        var buffer = new byte[4];
        Assert.True(_memory.TryRead(0x1000, buffer, MemoryAccess.Read, out _));
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, buffer);
        Assert.True(_memory.TryWrite(0x1000, buffer, MemoryAccess.Write, out _));
    }

    [Fact]
    public void NewCr3DropsNonGlobalButKeepsGlobal()
    {
        _tables.Map(0x1000, 0x30_0000, P | RW | G);
        _tables.Map(0x2000, 0x31_0000, P | RW);
        var b = new byte[1];
        Assert.True(_memory.TryRead(0x1000, b, MemoryAccess.Read, out _));
        Assert.True(_memory.TryRead(0x2000, b, MemoryAccess.Read, out _));

        // An empty PML4: only the cached global translation still works.
        _vcpu.State.Cr3 = _tables.AllocateTable();
        Assert.True(_memory.TryRead(0x1000, b, MemoryAccess.Read, out _));
        Assert.False(_memory.TryRead(0x2000, b, MemoryAccess.Read, out CpuFault fault));
        Assert.Equal(0x2000UL, fault.Cr2);

        // Turning PGE off flushes everything.
        _vcpu.State.Cr4 &= ~Cr4PagingBits.PGE;
        Assert.False(_memory.TryRead(0x1000, b, MemoryAccess.Read, out _));
    }

    [Fact]
    public void InvlpgMakesPteChangeVisible()
    {
        ulong leaf = _tables.Map(0x1000, 0x30_0000, P | RW);
        _tables.Memory.Write<byte>(0x30_0000, 0x11);
        _tables.Memory.Write<byte>(0x40_0000, 0x22);
        var b = new byte[1];
        Assert.True(_memory.TryRead(0x1000, b, MemoryAccess.Read, out _));
        _tables.Memory.Write(leaf, 0x40_0000 | P | RW);
        Assert.True(_memory.TryRead(0x1000, b, MemoryAccess.Read, out _));
        Assert.Equal(0x11, b[0]);
        _memory.Tlb.Invalidate(0x1000);
        Assert.True(_memory.TryRead(0x1000, b, MemoryAccess.Read, out _));
        Assert.Equal(0x22, b[0]);
    }

    [Fact]
    public void SystemAccessAtCpl3UsesSupervisorRights()
    {
        _tables.Map(0x1000, 0x30_0000, P | RW);
        _vcpu.State.Cpl = 3;
        var b = new byte[8];
        Assert.False(_memory.TryRead(0x1000, b, MemoryAccess.Read, out _));
        Assert.True(_memory.TryReadSystem(0x1000, b, out _));
        Assert.True(_memory.TryWriteSystem(0x1000, b, out _));
    }

    [Fact]
    public void Legacy32AccessWrapsAt4GiB()
    {
        ref CpuState s = ref _vcpu.State;
        s.Efer = 0;
        s.Cr4 = Cr4PagingBits.PSE;
        ulong pd = _tables.AllocateTable();
        s.Cr3 = pd;
        _tables.SetEntry32(pd, 0x3FF, 0x0080_0000 | (uint)(P | RW | PS));
        _tables.SetEntry32(pd, 0, 0x00C0_0000 | (uint)(P | RW | PS));
        Assert.True(_memory.TryWrite(0xFFFF_FFFE, [1, 2, 3, 4], MemoryAccess.Write, out _));
        Assert.Equal(0x0201, _tables.Memory.Read<ushort>(0xBF_FFFE));
        Assert.Equal(0x0403, _tables.Memory.Read<ushort>(0xC0_0000));
    }
}
