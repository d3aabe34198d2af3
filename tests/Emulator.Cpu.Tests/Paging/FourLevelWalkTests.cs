using static Emulator.Cpu.Tests.Paging.PageTableBuilder;

namespace Emulator.Cpu.Tests.Paging;

/// <summary>4-level paging: translation at every page size, A/D updates, canonical check.</summary>
public sealed class FourLevelWalkTests : IDisposable
{
    private readonly PageTableBuilder _tables = new();
    private readonly PageWalker _walker;

    public FourLevelWalkTests() => _walker = new PageWalker(_tables.Memory);

    public void Dispose() => _tables.Dispose();

    private PagingContext Context => LongMode(_tables.Root);

    [Fact]
    public void Maps4KiBPageAndKeepsOffset()
    {
        _tables.Map(0x0000_7F12_3456_7000, 0x20_3000, P | RW | US);
        PageTranslation t = _walker.Translate(0x0000_7F12_3456_7ABC, MemoryAccess.Read, Context);
        Assert.Equal(TranslationStatus.Ok, t.Status);
        Assert.Equal(0x20_3ABCUL, t.PhysicalAddress);
        Assert.Equal(4096UL, t.PageSize);
        Assert.Equal(PagePermissions.Writable | PagePermissions.User, t.Permissions);
    }

    [Fact]
    public void Maps2MiBPage()
    {
        _tables.Map(0xFFFF_8000_0020_0000, 0x40_0000, P | RW, leafLevel: 2);
        PageTranslation t = _walker.Translate(0xFFFF_8000_0031_2345, MemoryAccess.Read, Context);
        Assert.True(t.IsOk);
        Assert.Equal(0x51_2345UL, t.PhysicalAddress);
        Assert.Equal(2UL << 20, t.PageSize);
    }

    [Fact]
    public void Maps1GiBPageAndIgnoresPatBit()
    {
        _tables.Map(0x40_0000_0000, 0x4000_0000 | (1UL << 12), P | RW, leafLevel: 3);
        PageTranslation t = _walker.Translate(0x40_0ABC_DEF0, MemoryAccess.Read, Context);
        Assert.True(t.IsOk);
        Assert.Equal(0x4ABC_DEF0UL, t.PhysicalAddress);
        Assert.Equal(1UL << 30, t.PageSize);
    }

    [Fact]
    public void OneGiBPageIsReservedWithoutTheFeature()
    {
        _tables.Map(0x40_0000_0000, 0x4000_0000, P | RW, leafLevel: 3);
        var walker = new PageWalker(_tables.Memory, supports1GbPages: false);
        PageTranslation t = walker.Translate(0x40_0000_0000, MemoryAccess.Read, Context);
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit, t.ErrorCode);
    }

    [Fact]
    public void ReadSetsAccessedEverywhereButNotDirty()
    {
        ulong linear = 0x1234_5000;
        ulong leaf = _tables.Map(linear, 0x30_0000, P | RW);
        PageTranslation t = _walker.Translate(linear, MemoryAccess.Read, Context);
        Assert.True(t.IsOk);
        for (int level = 4; level >= 1; level--)
        {
            Assert.NotEqual(0UL, _tables.Memory.Read<ulong>(_tables.EntryAddress(linear, level)) & A);
        }

        Assert.Equal(0UL, _tables.Memory.Read<ulong>(leaf) & D);
        Assert.Equal(PagePermissions.None, t.Permissions & PagePermissions.Dirty);
    }

    [Fact]
    public void WriteSetsDirtyOnlyInLeaf()
    {
        ulong linear = 0x1234_5000;
        ulong leaf = _tables.Map(linear, 0x30_0000, P | RW);
        PageTranslation t = _walker.Translate(linear, MemoryAccess.Write, Context);
        Assert.True(t.IsOk);
        Assert.Equal(A | D, _tables.Memory.Read<ulong>(leaf) & (A | D));
        Assert.Equal(0UL, _tables.Memory.Read<ulong>(_tables.EntryAddress(linear, 2)) & D);
        Assert.Equal(PagePermissions.Dirty, t.Permissions & PagePermissions.Dirty);
    }

    [Fact]
    public void LargeLeafGetsDirtyOnWrite()
    {
        ulong leaf = _tables.Map(0x20_0000, 0x20_0000, P | RW, leafLevel: 2);
        Assert.True(_walker.Translate(0x20_0008, MemoryAccess.Write, Context).IsOk);
        Assert.Equal(A | D | PS, _tables.Memory.Read<ulong>(leaf) & (A | D | PS));
    }

    [Fact]
    public void FaultLeavesLeafAccessedBitClear()
    {
        ulong leaf = _tables.Map(0x5000, 0x5000, P);
        Assert.False(_walker.Translate(0x5000, MemoryAccess.Write, Context).IsOk);
        Assert.Equal(0UL, _tables.Memory.Read<ulong>(leaf) & A);
    }

    [Theory]
    [InlineData(0x0000_8000_0000_0000UL)]
    [InlineData(0xFFFF_7FFF_FFFF_F000UL)]
    [InlineData(0x0001_0000_0000_0000UL)]
    public void NonCanonicalIsReportedWithoutWalking(ulong linear)
    {
        PageTranslation t = _walker.Translate(linear, MemoryAccess.Read, Context);
        Assert.Equal(TranslationStatus.NonCanonical, t.Status);
        Assert.Equal(ExceptionVector.GeneralProtection, t.ToFault().Vector);
    }

    [Fact]
    public void TableOutsideRamReadsAsAllOnesAndFaultsReserved()
    {
        ulong pml4e = _tables.Root;
        _tables.SetEntry64(pml4e, 0, 0x80_0000_0000 | P | RW | US);
        PageTranslation t = _walker.Translate(0x1000, MemoryAccess.Read, Context);
        Assert.Equal(TranslationStatus.PageFault, t.Status);
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit, t.ErrorCode);
    }

    [Fact]
    public void PagingOffIsIdentityOver32Bits()
    {
        PageTranslation t = _walker.Translate(0x1_2345_6789, MemoryAccess.Write, Context with { Mode = PagingMode.None });
        Assert.True(t.IsOk);
        Assert.Equal(0x2345_6789UL, t.PhysicalAddress);
    }
}
