using System.Buffers.Binary;
using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>The split-queue in-flight log: the spec's tracking, batch commit and reconnect algorithms.</summary>
public sealed class InflightQueueTests
{
    [Fact]
    public void Begin_marks_in_flight_with_increasing_counters()
    {
        using InflightRegion region = InflightRegion.Create(1, 8);
        InflightQueue q = region.Queues[0];
        q.Begin(5);
        q.Begin(2);
        Assert.True(q.IsInflight(5));
        Assert.True(q.IsInflight(2));
        Assert.True(q.CounterOf(2) > q.CounterOf(5));
        Assert.Equal(new ushort[] { 5, 2 }, q.PendingInCounterOrder());
    }

    [Fact]
    public void Complete_clears_the_batch_and_records_used_idx()
    {
        using InflightRegion region = InflightRegion.Create(1, 8);
        InflightQueue q = region.Queues[0];
        q.Begin(1);
        q.Begin(3);
        q.Begin(4);
        q.MarkUsed(3);
        q.MarkUsed(1);
        q.Complete(2);
        Assert.False(q.IsInflight(1));
        Assert.False(q.IsInflight(3));
        Assert.True(q.IsInflight(4));
        Assert.Equal(2, q.UsedIdx);
        Assert.Equal(1, q.LastBatchHead);
    }

    [Fact]
    public void Repair_clears_a_batch_that_was_published_but_not_committed()
    {
        using InflightRegion region = InflightRegion.Create(1, 8);
        InflightQueue q = region.Queues[0];
        q.Begin(0);
        q.Begin(6);
        q.Begin(7);
        q.MarkUsed(6);
        q.MarkUsed(0);

        // The back-end "died" after publishing used->idx = 2 but before Complete: a new one repairs.
        var reborn = InflightRegion.FromFd(Fd.Duplicate(region.Fd), region.Description);
        using (reborn)
        {
            InflightQueue r = reborn.Queues[0];
            Assert.Equal(new ushort[] { 0, 6, 7 }, r.PendingInCounterOrder());
            r.Repair(2);
            Assert.Equal(new ushort[] { 7 }, r.PendingInCounterOrder());
            Assert.Equal(2, r.UsedIdx);
        }
    }

    [Fact]
    public void Repair_leaves_entries_alone_when_used_idx_was_never_published()
    {
        using InflightRegion region = InflightRegion.Create(1, 8);
        InflightQueue q = region.Queues[0];
        q.Begin(3);
        q.MarkUsed(3);
        q.Repair(0);
        Assert.Equal(new ushort[] { 3 }, q.PendingInCounterOrder());
    }

    [Fact]
    public void New_counters_continue_after_the_ones_found_in_the_buffer()
    {
        using InflightRegion region = InflightRegion.Create(1, 8);
        region.Queues[0].Begin(1);
        region.Queues[0].Begin(2);
        using var reborn = InflightRegion.FromFd(Fd.Duplicate(region.Fd), region.Description);
        InflightQueue r = reborn.Queues[0];
        r.Begin(5);
        Assert.Equal(new ushort[] { 1, 2, 5 }, r.PendingInCounterOrder());
    }

    [Fact]
    public void Head_outside_the_queue_is_refused()
    {
        using InflightRegion region = InflightRegion.Create(1, 8);
        Assert.Throws<VhostUserProtocolException>(() => region.Queues[0].Begin(8));
        Assert.Throws<VhostUserProtocolException>(() => region.Queues[0].MarkUsed(ushort.MaxValue));
    }

    [Fact]
    public void Hostile_batch_links_cannot_send_repair_out_of_bounds()
    {
        using InflightRegion region = InflightRegion.Create(1, 8);
        using MemoryMapping map = MemoryMapping.MapShared(region.Fd, 0, region.Description.MmapSize);
        BinaryPrimitives.WriteUInt16LittleEndian(map.GetSpan(InflightLayout.LastBatchHeadOffset, 2), 0xFFFF);
        region.Queues[0].Repair(0x7FFF);
        Assert.Equal(0x7FFF, region.Queues[0].UsedIdx);
    }

    [Fact]
    public void Queues_are_laid_out_one_after_another()
    {
        using InflightRegion region = InflightRegion.Create(3, 16);
        region.Queues[2].Begin(15);
        using MemoryMapping map = MemoryMapping.MapShared(region.Fd, 0, region.Description.MmapSize);
        ulong q2 = 2 * InflightLayout.QueueRegionSize(16);
        Assert.Equal(1, map.GetSpan(q2 + InflightLayout.HeaderSize + (15 * 16), 1)[0]);
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(map.GetSpan(q2 + InflightLayout.DescNumOffset, 2)));
    }

    [Fact]
    public void Adopting_a_buffer_with_a_foreign_header_is_refused()
    {
        using InflightRegion region = InflightRegion.Create(1, 16);
        var wrongSize = new InflightDescription(region.Description.MmapSize, 0, 1, 8);
        using SafeFd dup = Fd.Duplicate(region.Fd);
        Assert.Throws<VhostUserProtocolException>(() => InflightRegion.FromFd(dup, wrongSize));
    }

    [Fact]
    public void Adopting_a_buffer_smaller_than_described_is_refused()
    {
        using SafeFd fd = MemFd.Create("tiny", 100);
        Assert.Throws<VhostUserProtocolException>(() => InflightRegion.FromFd(fd, new InflightDescription(InflightLayout.TotalSize(1, 16), 0, 1, 16)));
        Assert.Throws<VhostUserProtocolException>(() => InflightRegion.FromFd(fd, new InflightDescription(64, ulong.MaxValue, 1, 2)));
    }
}
