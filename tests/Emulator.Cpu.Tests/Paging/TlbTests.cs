using static Emulator.Cpu.Tests.Paging.PageTableBuilder;

namespace Emulator.Cpu.Tests.Paging;

/// <summary>The software TLB: hits, rights on hits, global pages, INVLPG, slow-path flag.</summary>
public sealed class TlbTests : IDisposable
{
    private readonly PageTableBuilder _tables = new();
    private readonly PageWalker _walker;
    private readonly Tlb _tlb = new();

    public TlbTests() => _walker = new PageWalker(_tables.Memory);

    public void Dispose() => _tables.Dispose();

    private PagingContext Kernel => LongMode(_tables.Root);

    private void Fill(ulong linear, MemoryAccess access = MemoryAccess.Read)
    {
        PageTranslation t = _walker.Translate(linear, access, Kernel);
        Assert.True(t.IsOk);
        _tlb.Insert(linear, t);
    }

    [Fact]
    public void HitReturnsCachedTranslationEvenAfterPteChange()
    {
        ulong leaf = _tables.Map(0x7000, 0x30_0000, P | RW);
        Fill(0x7000);
        _tables.Memory.Write(leaf, 0x50_0000 | P | RW);
        Assert.Equal(TlbLookup.Hit, _tlb.Lookup(0x7123, MemoryAccess.Read, Kernel, out ulong physical));
        Assert.Equal(0x30_0123UL, physical);
    }

    [Fact]
    public void InvalidateDropsThePage()
    {
        ulong leaf = _tables.Map(0x7000, 0x30_0000, P | RW);
        _tables.Map(0x8000, 0x31_0000, P | RW);
        Fill(0x7000);
        Fill(0x8000);
        _tables.Memory.Write(leaf, 0x50_0000 | P | RW);
        _tlb.Invalidate(0x7FFF);
        Assert.Equal(TlbLookup.Miss, _tlb.Lookup(0x7000, MemoryAccess.Read, Kernel, out _));
        Assert.Equal(TlbLookup.Hit, _tlb.Lookup(0x8000, MemoryAccess.Read, Kernel, out _));
        Fill(0x7000);
        Assert.Equal(TlbLookup.Hit, _tlb.Lookup(0x7000, MemoryAccess.Read, Kernel, out ulong physical));
        Assert.Equal(0x50_0000UL, physical);
    }

    [Fact]
    public void InvalidateInsideLargePageDropsAllItsPieces()
    {
        _tables.Map(0x20_0000, 0x60_0000, P | RW, leafLevel: 2);
        Fill(0x20_0000);
        Fill(0x21_5000);
        _tlb.Invalidate(0x3F_F000);
        Assert.Equal(TlbLookup.Miss, _tlb.Lookup(0x20_0000, MemoryAccess.Read, Kernel, out _));
        Assert.Equal(TlbLookup.Miss, _tlb.Lookup(0x21_5000, MemoryAccess.Read, Kernel, out _));
    }

    [Fact]
    public void GlobalPagesSurviveCr3FlushOthersDoNot()
    {
        _tables.Map(0xFFFF_8000_0000_0000, 0x30_0000, P | RW | G);
        _tables.Map(0x1000, 0x31_0000, P | RW | US | G);
        _tables.Map(0x2000, 0x32_0000, P | RW);
        Fill(0xFFFF_8000_0000_0000);
        Fill(0x1000);
        Fill(0x2000);
        _tlb.FlushNonGlobal();
        Assert.Equal(TlbLookup.Hit, _tlb.Lookup(0xFFFF_8000_0000_0000, MemoryAccess.Read, Kernel, out _));
        Assert.Equal(TlbLookup.Hit, _tlb.Lookup(0x1000, MemoryAccess.Read, Kernel, out _));
        Assert.Equal(TlbLookup.Miss, _tlb.Lookup(0x2000, MemoryAccess.Read, Kernel, out _));
        _tlb.FlushAll();
        Assert.Equal(TlbLookup.Miss, _tlb.Lookup(0x1000, MemoryAccess.Read, Kernel, out _));
    }

    [Fact]
    public void GBitIsIgnoredWithoutPge()
    {
        _tables.Map(0x1000, 0x31_0000, P | RW | G);
        PageTranslation t = _walker.Translate(0x1000, MemoryAccess.Read, Kernel with { GlobalPages = false });
        _tlb.Insert(0x1000, t);
        _tlb.FlushNonGlobal();
        Assert.Equal(TlbLookup.Miss, _tlb.Lookup(0x1000, MemoryAccess.Read, Kernel, out _));
    }

    [Fact]
    public void HitChecksRightsForCurrentContext()
    {
        _tables.Map(0x1000, 0x31_0000, P | US);
        Fill(0x1000);
        Assert.Equal(TlbLookup.Hit, _tlb.Lookup(0x1000, MemoryAccess.Read, Kernel with { Cpl = 3 }, out _));
        Assert.Equal(TlbLookup.Miss, _tlb.Lookup(0x1000, MemoryAccess.Read, Kernel with { Smap = true }, out _));
        Assert.Equal(TlbLookup.Miss, _tlb.Lookup(0x1000, MemoryAccess.Write, Kernel, out _));
    }

    [Fact]
    public void WriteToCleanPageMissesSoTheWalkSetsDirty()
    {
        ulong leaf = _tables.Map(0x1000, 0x31_0000, P | RW);
        Fill(0x1000);
        Assert.Equal(TlbLookup.Miss, _tlb.Lookup(0x1000, MemoryAccess.Write, Kernel, out _));
        Fill(0x1000, MemoryAccess.Write);
        Assert.NotEqual(0UL, _tables.Memory.Read<ulong>(leaf) & D);
        Assert.Equal(TlbLookup.Hit, _tlb.Lookup(0x1000, MemoryAccess.Write, Kernel, out _));
    }

    [Fact]
    public void SlowPathFlagIsReportedOnHit()
    {
        _tables.Map(0x1000, 0x31_0000, P | RW);
        Fill(0x1000);
        Assert.True(_tlb.SetSlowPath(0x1000, true));
        Assert.Equal(TlbLookup.SlowPath, _tlb.Lookup(0x1004, MemoryAccess.Read, Kernel, out ulong physical));
        Assert.Equal(0x31_0004UL, physical);
        Assert.False(_tlb.SetSlowPath(0x9000, true));
        Assert.True(_tlb.SetSlowPath(0x1000, false));
        Assert.Equal(TlbLookup.Hit, _tlb.Lookup(0x1004, MemoryAccess.Read, Kernel, out _));
    }

    [Fact]
    public void AliasingPagesEvictEachOther()
    {
        ulong other = 0x1000 + ((ulong)Tlb.EntryCount << 12);
        _tables.Map(0x1000, 0x31_0000, P | RW);
        _tables.Map(other, 0x32_0000, P | RW);
        Fill(0x1000);
        Fill(other);
        Assert.Equal(TlbLookup.Miss, _tlb.Lookup(0x1000, MemoryAccess.Read, Kernel, out _));
        Assert.Equal(TlbLookup.Hit, _tlb.Lookup(other, MemoryAccess.Read, Kernel, out ulong physical));
        Assert.Equal(0x32_0000UL, physical);
    }

    [Fact]
    public void PagingOffIgnoresSmapAndSmepOnHits()
    {
        PagingContext off = Kernel with { Mode = PagingMode.None, Smap = true, Smep = true };
        PageTranslation t = _walker.Translate(0x5000, MemoryAccess.Read, off);
        _tlb.Insert(0x5000, t);
        Assert.Equal(TlbLookup.Hit, _tlb.Lookup(0x5000, MemoryAccess.Read, off, out _));
        Assert.Equal(TlbLookup.Hit, _tlb.Lookup(0x5000, MemoryAccess.Execute, off, out _));
    }
}
