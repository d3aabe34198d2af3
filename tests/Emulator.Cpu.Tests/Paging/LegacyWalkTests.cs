using static Emulator.Cpu.Tests.Paging.PageTableBuilder;

namespace Emulator.Cpu.Tests.Paging;

/// <summary>32-bit and PAE paging (Intel SDM vol. 3, 4.3 and 4.4).</summary>
public sealed class LegacyWalkTests : IDisposable
{
    private readonly PageTableBuilder _tables = new();
    private readonly PageWalker _walker;

    public LegacyWalkTests() => _walker = new PageWalker(_tables.Memory);

    public void Dispose() => _tables.Dispose();

    private PagingContext Legacy(bool pse = true) => LongMode(_tables.Root) with
    {
        Mode = PagingMode.Legacy32, PageSizeExtensions = pse, NoExecuteEnabled = false,
    };

    private PagingContext Pae => LongMode(_tables.Root) with { Mode = PagingMode.Pae };

    [Fact]
    public void Legacy4KiBPageSetsAccessedAndDirty()
    {
        ulong pt = _tables.AllocateTable();
        _tables.SetEntry32(_tables.Root, 0x300, (uint)pt | (uint)(P | RW | US));
        _tables.SetEntry32(pt, 0x45, 0x0060_7000 | (uint)(P | RW));
        PageTranslation t = _walker.Translate(0xC004_5123, MemoryAccess.Write, Legacy());
        Assert.True(t.IsOk);
        Assert.Equal(0x60_7123UL, t.PhysicalAddress);
        Assert.Equal((uint)A, _tables.Entry32(_tables.Root, 0x300) & (uint)(A | D));
        Assert.Equal((uint)(A | D), _tables.Entry32(pt, 0x45) & (uint)(A | D));
    }

    [Fact]
    public void Legacy4MiBPageWithPse36HighBits()
    {
        // Bits 20:13 of the PDE are physical bits 39:32.
        _tables.SetEntry32(_tables.Root, 1, 0x0080_0000 | (0x3u << 13) | (uint)(P | RW | PS));
        PageTranslation t = _walker.Translate(0x0065_4321, MemoryAccess.Read, Legacy());
        Assert.True(t.IsOk);
        Assert.Equal(0x3_00A5_4321UL, t.PhysicalAddress);
        Assert.Equal(4UL << 20, t.PageSize);
    }

    [Fact]
    public void Legacy4MiBBit21IsReserved()
    {
        _tables.SetEntry32(_tables.Root, 1, 0x0080_0000 | (1u << 21) | (uint)(P | RW | PS));
        PageTranslation t = _walker.Translate(0x0040_0000, MemoryAccess.Read, Legacy());
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit, t.ErrorCode);
    }

    [Fact]
    public void LegacyPsIsIgnoredWithoutPse()
    {
        ulong pt = _tables.AllocateTable();
        _tables.SetEntry32(_tables.Root, 1, (uint)pt | (uint)(P | RW | PS));
        _tables.SetEntry32(pt, 2, 0x0070_0000 | (uint)P);
        PageTranslation t = _walker.Translate(0x0040_2010, MemoryAccess.Read, Legacy(pse: false));
        Assert.True(t.IsOk);
        Assert.Equal(0x70_0010UL, t.PhysicalAddress);
        Assert.Equal(4096UL, t.PageSize);
    }

    [Fact]
    public void LegacyHighAddressBitsAreIgnored()
    {
        _tables.SetEntry32(_tables.Root, 0, (uint)(P | RW | PS));
        Assert.Equal(0x1234UL, _walker.Translate(0xFFFF_FFFF_0000_1234, MemoryAccess.Read, Legacy()).PhysicalAddress);
    }

    [Fact]
    public void Pae4KiBAnd2MiBPages()
    {
        ulong pd = _tables.AllocateTable();
        ulong pt = _tables.AllocateTable();
        _tables.SetEntry64(_tables.Root, 3, pd | P);
        _tables.SetEntry64(pd, 0, pt | P | RW);
        _tables.SetEntry64(pt, 5, 0x0090_0000 | P | RW);
        _tables.SetEntry64(pd, 1, 0x00A0_0000 | P | PS);

        PageTranslation small = _walker.Translate(0xC000_5FFF, MemoryAccess.Read, Pae);
        Assert.Equal(0x90_0FFFUL, small.PhysicalAddress);
        PageTranslation large = _walker.Translate(0xC02F_0001, MemoryAccess.Read, Pae);
        Assert.Equal(0xAF_0001UL, large.PhysicalAddress);
        Assert.Equal(2UL << 20, large.PageSize);
        Assert.Equal(pd | P, _tables.Entry64(_tables.Root, 3));
    }

    [Fact]
    public void PaePdpteReservedBitsFault()
    {
        ulong pd = _tables.AllocateTable();
        _tables.SetEntry64(_tables.Root, 0, pd | P | RW);
        PageTranslation t = _walker.Translate(0x1000, MemoryAccess.Write, Pae);
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit | PageFaultErrorCode.Write, t.ErrorCode);
        Assert.Equal(0x1000UL, t.FaultAddress);
    }

    [Fact]
    public void PaeNxFetchFaultsWithInstructionBit()
    {
        ulong pd = _tables.AllocateTable();
        _tables.SetEntry64(_tables.Root, 0, pd | P);
        _tables.SetEntry64(pd, 0, P | RW | PS | XD);
        PageTranslation t = _walker.Translate(0x1234, MemoryAccess.Execute, Pae);
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.InstructionFetch, t.ErrorCode);
        Assert.Equal(0x1234UL, t.FaultAddress);
        Assert.True(_walker.Translate(0x1234, MemoryAccess.Read, Pae).IsOk);
    }
}
