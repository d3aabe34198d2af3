using static Emulator.Cpu.Tests.Paging.PageTableBuilder;

namespace Emulator.Cpu.Tests.Paging;

/// <summary>
/// The scalar access path (ExecutionContext over PagedMemory) caches each TLB entry's rights verdict for
/// the current paging context: a change of CPL, CR0.WP or RFLAGS.AC must be judged afresh, and a cached
/// read must not let a later write skip setting the D bit.
/// </summary>
public sealed class ScalarFastPathTests : IDisposable
{
    private readonly PageTableBuilder _tables = new();
    private readonly Vcpu _vcpu = new();
    private readonly ExecutionContext _context;

    public ScalarFastPathTests()
    {
        ref CpuState s = ref _vcpu.State;
        s.Cr0 = Cr0Bits.PE | Cr0Bits.PG | Cr0Bits.WP;
        s.Cr4 = Cr4PagingBits.PAE | Cr4PagingBits.PGE;
        s.Efer = EferBits.LME | EferBits.LMA | EferBits.NXE;
        s.Cr3 = _tables.Root;
        _context = new ExecutionContext(_vcpu, new PagedMemory(_tables.Memory, _vcpu));
    }

    public void Dispose()
    {
        _vcpu.Dispose();
        _tables.Dispose();
    }

    [Fact]
    public void SupervisorPageReadAtCpl0FaultsAtCpl3()
    {
        _tables.Map(0x1000, 0x30_0000, P | RW | A | D);
        _tables.Memory.Write(0x30_0008UL, 0x1122_3344_5566_7788UL);
        Assert.True(_context.TryReadMemory(0x1008, 8, out ulong value));
        Assert.True(_context.TryReadMemory(0x1008, 8, out value));
        Assert.Equal(0x1122_3344_5566_7788UL, value);

        _vcpu.State.Cpl = 3;
        Assert.False(_context.TryReadMemory(0x1008, 8, out _));
        Assert.Equal(ExceptionVector.PageFault, _context.Fault.Vector);
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.User, _context.Fault.ErrorCode);
        Assert.False(_context.TryWriteMemory(0x1008, 4, 1));

        _vcpu.State.Cpl = 0;
        Assert.True(_context.TryWriteMemory(0x1008, 4, 0xAABB_CCDD));
        Assert.Equal(0x1122_3344_AABB_CCDDUL, _tables.Memory.Read<ulong>(0x30_0008));
    }

    [Fact]
    public void ReadOnlyPageFollowsWriteProtect()
    {
        _tables.Map(0x1000, 0x30_0000, P | A | D);
        Assert.True(_context.TryReadMemory(0x1000, 4, out _));
        Assert.False(_context.TryWriteMemory(0x1000, 4, 7));

        _vcpu.State.Cr0 &= ~Cr0Bits.WP;
        Assert.True(_context.TryWriteMemory(0x1000, 4, 7));
        Assert.True(_context.TryWriteMemory(0x1000, 4, 8));
        Assert.Equal(8U, _tables.Memory.Read<uint>(0x30_0000));

        _vcpu.State.Cr0 |= Cr0Bits.WP;
        Assert.False(_context.TryWriteMemory(0x1000, 4, 9));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.Write, _context.Fault.ErrorCode);
        Assert.Equal(8U, _tables.Memory.Read<uint>(0x30_0000));
    }

    [Fact]
    public void WriteAfterCachedReadSetsDirty()
    {
        ulong leaf = _tables.Map(0x1000, 0x30_0000, P | RW);
        Assert.True(_context.TryReadMemory(0x1000, 8, out _));
        Assert.True(_context.TryReadMemory(0x1000, 8, out _));
        Assert.Equal(0UL, _tables.Memory.Read<ulong>(leaf) & D);

        Assert.True(_context.TryWriteMemory(0x1000, 8, 5));
        Assert.NotEqual(0UL, _tables.Memory.Read<ulong>(leaf) & D);
        Assert.Equal(5UL, _tables.Memory.Read<ulong>(0x30_0000));
    }

    [Fact]
    public void UserPageUnderSmapFollowsAlignmentCheck()
    {
        _vcpu.State.Cr4 |= Cr4PagingBits.SMAP;
        _tables.Map(0x1000, 0x30_0000, P | RW | US | A | D);
        Assert.False(_context.TryReadMemory(0x1000, 4, out _));

        _vcpu.State.Rflags |= RflagsBits.AC;
        Assert.True(_context.TryReadMemory(0x1000, 4, out _));
        Assert.True(_context.TryReadMemory(0x1000, 4, out _));

        _vcpu.State.Rflags &= ~RflagsBits.AC;
        Assert.False(_context.TryReadMemory(0x1000, 4, out _));
    }
}
