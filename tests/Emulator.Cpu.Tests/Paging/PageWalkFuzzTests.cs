using Emulator.Tests.Shared;
using static Emulator.Cpu.Tests.Paging.PageTableBuilder;

namespace Emulator.Cpu.Tests.Paging;

/// <summary>
/// Random page-table contents (entries pointing at other tables, at garbage, outside guest RAM),
/// random modes and addresses: every walk ends in a well-formed value, never an exception, and a
/// TLB hit agrees with the walk it came from. Tables outside RAM read as all ones (open bus).
/// </summary>
public sealed class PageWalkFuzzTests
{
    private const ulong Pool = 0x10_0000;
    private const int PoolPages = 32;

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomTablesGiveOnlyWellFormedResults()
    {
        var random = new Random(20261122);
        using var tables = new PageTableBuilder();
        using var vcpu = new Vcpu();
        var walker = new PageWalker(tables.Memory);
        var paged = new PagedMemory(tables.Memory, vcpu, walker);
        var tlb = new Tlb();
        var buffer = new byte[32];
        int pagedHits = 0, faults = 0;

        int iterations = FuzzBudget.Iterations(30_000);
        for (int i = 0; i < iterations; i++)
        {
            if (i % 500 == 0)
            {
                Scribble(tables, random);
                tlb.FlushAll();
            }

            PagingContext context = RandomContext(random);
            ulong linear = RandomLinear(random);
            var access = (MemoryAccess)random.Next(3);
            bool implicitSupervisor = random.Next(8) == 0;

            PageTranslation t = walker.Translate(linear, access, context, implicitSupervisor);
            ulong effective = context.Mode == PagingMode.FourLevel ? linear : linear & uint.MaxValue;
            switch (t.Status)
            {
                case TranslationStatus.Ok:
                    Assert.Contains(t.PageSize, new[] { 4096UL, 2UL << 20, 4UL << 20, 1UL << 30 });
                    Assert.Equal(effective & (t.PageSize - 1), t.PhysicalAddress & (t.PageSize - 1));
                    Assert.True(t.PhysicalAddress < 1UL << walker.MaxPhysicalAddressBits);
                    pagedHits += context.Mode == PagingMode.None ? 0 : 1;
                    tlb.Insert(effective, t);
                    Assert.Equal(TlbLookup.Hit, tlb.Lookup(effective, access, context, out ulong cached, implicitSupervisor));
                    Assert.Equal(t.PhysicalAddress, cached);
                    break;
                case TranslationStatus.PageFault:
                    faults++;
                    Assert.Equal(0u, t.ErrorCode & ~0x1Fu);
                    Assert.Equal(effective, t.FaultAddress);
                    Assert.True((t.ErrorCode & PageFaultErrorCode.ReservedBit) == 0 || (t.ErrorCode & PageFaultErrorCode.Present) != 0);
                    break;
                default:
                    Assert.Equal(PagingMode.FourLevel, context.Mode);
                    break;
            }

            SetState(ref vcpu.State, context);
            Span<byte> span = buffer.AsSpan(0, random.Next(1, buffer.Length));
            bool ok = access == MemoryAccess.Write
                ? paged.TryWrite(linear, span, access, out CpuFault fault)
                : paged.TryRead(linear, span, access, out fault);
            Assert.True(ok || fault.Vector is ExceptionVector.PageFault or ExceptionVector.GeneralProtection);
        }

        // The generator must reach both outcomes through real walks, or it proves nothing.
        Assert.True(pagedHits > 0 && faults > 0, $"paged translations {pagedHits}, faults {faults}");
    }

    private static void Scribble(PageTableBuilder tables, Random random)
    {
        for (ulong page = 0; page < PoolPages; page++)
        {
            for (ulong index = 0; index < 512; index++)
            {
                tables.SetEntry64(Pool + (page * 4096), index, RandomEntry(random));
            }
        }
    }

    private static ulong RandomEntry(Random random)
    {
        ulong flags = (ulong)random.NextInt64() & 0x1FF;
        ulong target = random.Next(10) switch
        {
            0 => (ulong)random.NextInt64() << 1,
            1 => 0xFF_0000_0000UL + ((ulong)random.Next(16) << 12),
            2 => 0,
            _ => Pool + ((ulong)random.Next(PoolPages) << 12) + ((ulong)random.Next(2) << 32),
        };
        ulong high = random.Next(4) == 0 ? (ulong)random.NextInt64() & 0xFFF0_0000_0000_0000 : 0;
        return (target & 0x000F_FFFF_FFFF_F000) | flags | high | (random.Next(4) == 0 ? 0 : P);
    }

    private static PagingContext RandomContext(Random random)
    {
        ulong cr3 = random.Next(16) == 0 ? (ulong)random.NextInt64() : Pool + ((ulong)random.Next(PoolPages) << 12);
        return new PagingContext(
            (PagingMode)random.Next(4), cr3, random.Next(2) == 0, random.Next(2) == 0, random.Next(2) == 0,
            random.Next(2) == 0, random.Next(2) == 0, random.Next(2) == 0, random.Next(2) == 0, (byte)random.Next(4));
    }

    private static ulong RandomLinear(Random random)
    {
        ulong value = (ulong)random.NextInt64() | ((ulong)random.Next(2) << 63);
        return random.Next(3) switch
        {
            0 => value,
            1 => (ulong)((long)(value << 16) >> 16),
            _ => (value & 0xFFFF_FFFF) | 0xFFF,
        };
    }

    private static void SetState(ref CpuState state, PagingContext context)
    {
        state.Cr0 = Cr0Bits.PE | (context.Mode == PagingMode.None ? 0 : Cr0Bits.PG) | (context.WriteProtect ? Cr0Bits.WP : 0);
        state.Cr4 = (context.Mode is PagingMode.Pae or PagingMode.FourLevel ? Cr4PagingBits.PAE : 0)
            | (context.PageSizeExtensions ? Cr4PagingBits.PSE : 0) | (context.GlobalPages ? Cr4PagingBits.PGE : 0)
            | (context.Smep ? Cr4PagingBits.SMEP : 0) | (context.Smap ? Cr4PagingBits.SMAP : 0);
        state.Efer = (context.Mode == PagingMode.FourLevel ? EferBits.LMA | EferBits.LME : 0) | (context.NoExecuteEnabled ? EferBits.NXE : 0);
        state.Rflags = RflagsBits.Fixed1 | (context.AlignmentCheck ? RflagsBits.AC : 0);
        state.Cr3 = context.Cr3;
        state.Cpl = context.Cpl;
    }
}
