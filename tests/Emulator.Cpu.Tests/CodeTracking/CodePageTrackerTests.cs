using Emulator.Cpu.Tests.Paging;

namespace Emulator.Cpu.Tests.CodeTracking;

public sealed class CodePageTrackerTests
{
    [Fact]
    public void MarksPagesInsideAndPastTheBitmap()
    {
        var tracker = new CodePageTracker(0x10_0000);
        var changes = new List<(ulong, bool)>();
        tracker.CodePageChanged += (page, isCode) => changes.Add((page, isCode));
        tracker.MarkCode(0x2345);
        tracker.MarkCode(0xFFFF_F123);
        tracker.MarkCode(0x2000);
        Assert.True(tracker.IsCode(0x2FFF));
        Assert.False(tracker.IsCode(0x3000));
        Assert.True(tracker.IsCode(0xFFFF_F000));
        Assert.True(tracker.AnyCode(0x1000, 0x1001));
        Assert.False(tracker.AnyCode(0x3000, 0x10_0000));
        tracker.UnmarkCode(0x2000);
        tracker.UnmarkCode(0xFFFF_F000);
        Assert.False(tracker.IsCode(0x2000));
        Assert.False(tracker.IsCode(0xFFFF_F000));
        Assert.Equal([(0x2000ul, true), (0xFFFF_F000ul, true), (0x2000ul, false), (0xFFFF_F000ul, false)], changes);
    }

    [Fact]
    public void OnlyWritesToCodeAreQueued()
    {
        var tracker = new CodePageTracker(0x10_0000);
        tracker.MarkCode(0x5000);
        tracker.NotifyWrite(0x4000, 0x1000);
        Assert.False(tracker.HasPendingWrites);
        tracker.NotifyWrite(0x4FFF, 2);
        Assert.True(tracker.HasPendingWrites);
        Assert.True(tracker.TryTakeWrite(out ulong address, out ulong length));
        Assert.Equal((0x4FFFul, 2ul), (address, length));
        Assert.False(tracker.TryTakeWrite(out _, out _));
        Assert.False(tracker.HasPendingWrites);
    }

    [Fact]
    public void RangePastTheTopStopsThere()
    {
        var tracker = new CodePageTracker(0x10_0000);
        tracker.MarkCode(0);
        Assert.False(tracker.AnyCode(ulong.MaxValue - 1, 4));
        Assert.False(tracker.AnyCode(0, 0));
        tracker.MarkCode(ulong.MaxValue);
        Assert.True(tracker.AnyCode(ulong.MaxValue - 1, 4));
        Assert.True(tracker.AnyCode(0x20_0000, ulong.MaxValue));
    }

    [Fact]
    public async Task ConcurrentExternalWritesAreAllDelivered()
    {
        var tracker = new CodePageTracker(0x10_0000);
        const int writers = 4;
        const int each = 500;
        Task[] tasks = [.. Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < each; i++)
            {
                tracker.InvalidatePhysical((ulong)((w * each) + i) << 12, 1);
            }
        }))];
        var seen = new HashSet<ulong>();
        while (seen.Count < writers * each)
        {
            if (tracker.TryTakeWrite(out ulong address, out _))
            {
                seen.Add(address);
            }
            else
            {
                await Task.Yield();
            }
        }

        await Task.WhenAll(tasks);
        Assert.False(tracker.TryTakeWrite(out _, out _));
        Assert.Equal(writers * each, seen.Count);
    }

    [Fact]
    public void CodePagesAreSlowPathInTheTlbUntilTheirBlocksGo()
    {
        using var m = new PagedMachine();
        m.Tables.Memory.Write(PagedMachine.CodeBase, PagedMachine.Assemble(PagedMachine.CodeBase, a => a.hlt()));
        PagingContext context = PagingContext.FromState(in m.State);
        Assert.True(m.Memory.TryRead(PagedMachine.CodeBase, new byte[1], MemoryAccess.Read, out _));
        Assert.Equal(TlbLookup.Hit, m.Memory.Tlb.Lookup(PagedMachine.CodeBase, MemoryAccess.Read, context, out _));
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(TlbLookup.SlowPath, m.Memory.Tlb.Lookup(PagedMachine.CodeBase, MemoryAccess.Read, context, out _));
        m.Interpreter.Blocks.InvalidateAll();
        Assert.False(m.Memory.CodePages.IsCode(PagedMachine.CodeBase));
        Assert.Equal(TlbLookup.Hit, m.Memory.Tlb.Lookup(PagedMachine.CodeBase, MemoryAccess.Read, context, out _));
    }

    [Fact]
    public void RemappedCodeRunsAfterInvlpg()
    {
        using var m = new PagedMachine();
        const ulong linear = 0x40_0000;
        m.Tables.Memory.Write(0x20_0000, PagedMachine.Assemble(linear, a => { a.mov(Iced.Intel.AssemblerRegisters.eax, 1); a.hlt(); }));
        m.Tables.Memory.Write(0x30_0000, PagedMachine.Assemble(linear, a => { a.mov(Iced.Intel.AssemblerRegisters.eax, 2); a.hlt(); }));
        ulong pte = m.Tables.Map(linear, 0x20_0000, PageTableBuilder.P | PageTableBuilder.A);
        m.State.Rip = linear;
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(1ul, m[GeneralRegister.Rax]);

        m.Tables.Memory.Write(pte, 0x30_0000UL | PageTableBuilder.P | PageTableBuilder.A);
        m.Memory.Tlb.Invalidate(linear);
        m.State.Rip = linear;
        m.State.Halted = 0;
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(2ul, m[GeneralRegister.Rax]);
    }
}
