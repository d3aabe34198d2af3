using static Emulator.Cpu.Tests.Paging.PageTableBuilder;

namespace Emulator.Cpu.Tests.Paging;

/// <summary>Every #PF error-code bit (Intel SDM vol. 3, 4.7) and CR2, in 4-level paging.</summary>
public sealed class PageFaultErrorCodeTests : IDisposable
{
    private const uint Pf = PageFaultErrorCode.Present;
    private const uint W = PageFaultErrorCode.Write;
    private const uint U = PageFaultErrorCode.User;
    private const uint Rsvd = PageFaultErrorCode.ReservedBit;
    private const uint Id = PageFaultErrorCode.InstructionFetch;
    private const ulong Linear = 0x0000_1234_5678_9ABC;

    private readonly PageTableBuilder _tables = new();
    private readonly PageWalker _walker;

    public PageFaultErrorCodeTests() => _walker = new PageWalker(_tables.Memory);

    public void Dispose() => _tables.Dispose();

    private PageTranslation Walk(ulong leafFlags, MemoryAccess access, PagingContext context, bool implicitSupervisor = false)
    {
        _tables.Map(Linear & ~0xFFFUL, 0x40_0000, leafFlags);
        return _walker.Translate(Linear, access, context, implicitSupervisor);
    }

    private PagingContext Kernel => LongMode(_tables.Root);

    private PagingContext User => LongMode(_tables.Root, cpl: 3);

    private static void AssertFault(uint errorCode, PageTranslation t)
    {
        Assert.Equal(TranslationStatus.PageFault, t.Status);
        Assert.Equal(errorCode, t.ErrorCode);
        Assert.Equal(Linear, t.FaultAddress);
        CpuFault fault = t.ToFault();
        Assert.Equal(ExceptionVector.PageFault, fault.Vector);
        Assert.True(fault.HasErrorCode);
        Assert.Equal(Linear, fault.Cr2);
    }

    [Fact]
    public void NotPresentReportsAccessKind()
    {
        _tables.Map(Linear & ~0xFFFUL, 0x40_0000, 0);
        AssertFault(0, _walker.Translate(Linear, MemoryAccess.Read, Kernel));
        AssertFault(W, _walker.Translate(Linear, MemoryAccess.Write, Kernel));
        AssertFault(U | W, _walker.Translate(Linear, MemoryAccess.Write, User));
        AssertFault(U | Id, _walker.Translate(Linear, MemoryAccess.Execute, User));
    }

    [Fact]
    public void NotPresentInUpperLevel()
    {
        AssertFault(U, _walker.Translate(Linear, MemoryAccess.Read, User));
    }

    [Fact]
    public void FetchBitNeedsNxeOrSmep()
    {
        _tables.Map(Linear & ~0xFFFUL, 0x40_0000, 0);
        AssertFault(0, _walker.Translate(Linear, MemoryAccess.Execute, Kernel with { NoExecuteEnabled = false }));
        AssertFault(Id, _walker.Translate(Linear, MemoryAccess.Execute, Kernel with { NoExecuteEnabled = false, Smep = true }));
    }

    [Fact]
    public void SupervisorWriteToReadOnlyDependsOnWp()
    {
        AssertFault(Pf | W, Walk(P | US, MemoryAccess.Write, Kernel));
        Assert.True(_walker.Translate(Linear, MemoryAccess.Write, Kernel with { WriteProtect = false }).IsOk);
    }

    [Fact]
    public void ReadOnlyInUpperLevelCounts()
    {
        _tables.Map(Linear & ~0xFFFUL, 0x40_0000, P | RW | US, tableFlags: P | US);
        AssertFault(Pf | W | U, _walker.Translate(Linear, MemoryAccess.Write, User));
    }

    [Fact]
    public void UserWriteToReadOnlyFaultsEvenWithoutWp()
    {
        AssertFault(Pf | W | U, Walk(P | US, MemoryAccess.Write, User with { WriteProtect = false }));
    }

    [Fact]
    public void UserAccessToSupervisorPage()
    {
        AssertFault(Pf | U, Walk(P | RW, MemoryAccess.Read, User));
        AssertFault(Pf | U | Id, _walker.Translate(Linear, MemoryAccess.Execute, User));
    }

    [Fact]
    public void ImplicitAccessAtCpl3IsSupervisor()
    {
        PageTranslation t = Walk(P | RW, MemoryAccess.Read, User, implicitSupervisor: true);
        Assert.True(t.IsOk);
    }

    [Fact]
    public void NxFetchWithNxe()
    {
        AssertFault(Pf | Id, Walk(P | RW | XD, MemoryAccess.Execute, Kernel));
        AssertFault(Pf | U | Id, _walker.Translate(Linear, MemoryAccess.Execute, User));
    }

    [Fact]
    public void XdBitIsReservedWithoutNxe()
    {
        AssertFault(Pf | Rsvd, Walk(P | RW | XD, MemoryAccess.Read, Kernel with { NoExecuteEnabled = false }));
    }

    [Fact]
    public void PhysicalBitAboveMaxPhyAddrIsReserved()
    {
        AssertFault(Pf | Rsvd | W | U, Walk(P | RW | US | (1UL << 45), MemoryAccess.Write, User));
    }

    [Fact]
    public void LargePageLowBitsAreReserved()
    {
        _tables.Map(Linear & ~0x1F_FFFFUL, 0x40_0000 | (1UL << 13), P | RW, leafLevel: 2);
        AssertFault(Pf | Rsvd, _walker.Translate(Linear, MemoryAccess.Read, Kernel));
    }

    [Fact]
    public void PsInPml4eIsReserved()
    {
        _tables.SetEntry64(_tables.Root, (Linear >> 39) & 511, 0x20_0000 | P | RW | PS);
        AssertFault(Pf | Rsvd, _walker.Translate(Linear, MemoryAccess.Read, Kernel));
    }

    [Fact]
    public void SmepBlocksSupervisorFetchFromUserPage()
    {
        AssertFault(Pf | Id, Walk(P | RW | US, MemoryAccess.Execute, Kernel with { Smep = true }));
        Assert.True(_walker.Translate(Linear, MemoryAccess.Execute, Kernel).IsOk);
        Assert.True(_walker.Translate(Linear, MemoryAccess.Read, Kernel with { Smep = true }).IsOk);
    }

    [Fact]
    public void SmapBlocksSupervisorDataAccessUnlessAc()
    {
        PagingContext smap = Kernel with { Smap = true };
        AssertFault(Pf, Walk(P | RW | US, MemoryAccess.Read, smap));
        AssertFault(Pf | W, _walker.Translate(Linear, MemoryAccess.Write, smap));
        Assert.True(_walker.Translate(Linear, MemoryAccess.Write, smap with { AlignmentCheck = true }).IsOk);
        Assert.True(_walker.Translate(Linear, MemoryAccess.Execute, smap).IsOk);
    }

    [Fact]
    public void SmapBlocksImplicitAccessWhateverAc()
    {
        PagingContext smap = Kernel with { Smap = true, AlignmentCheck = true };
        AssertFault(Pf, Walk(P | RW | US, MemoryAccess.Read, smap, implicitSupervisor: true));
        AssertFault(Pf, _walker.Translate(Linear, MemoryAccess.Read, User with { Smap = true, AlignmentCheck = true }, implicitSupervisor: true));
    }

    [Fact]
    public void SmapWithWpRespectsReadOnlyUserPage()
    {
        PagingContext smapAc = Kernel with { Smap = true, AlignmentCheck = true };
        AssertFault(Pf | W, Walk(P | US, MemoryAccess.Write, smapAc));
        Assert.True(_walker.Translate(Linear, MemoryAccess.Write, smapAc with { WriteProtect = false }).IsOk);
    }

    [Fact]
    public void Legacy32CanonicalHighBitsTruncateCr2()
    {
        PagingContext legacy = Kernel with { Mode = PagingMode.Legacy32 };
        PageTranslation t = _walker.Translate(0xDEAD_0000_CAFE_F00D, MemoryAccess.Read, legacy);
        Assert.Equal(TranslationStatus.PageFault, t.Status);
        Assert.Equal(0xCAFE_F00DUL, t.FaultAddress);
    }
}
