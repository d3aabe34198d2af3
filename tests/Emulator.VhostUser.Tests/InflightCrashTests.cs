using Emulator.Memory;
using Emulator.Posix;
using Emulator.Virtio;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// The in-flight log together with a real split queue, crashed at every step of the documented batch
/// order (Begin at pop; per element AddUsedDeferred + MarkUsed; PublishUsed; Complete). A new back-end
/// that runs Repair(used.idx) and resubmits PendingInCounterOrder must redo exactly the requests the
/// driver never got back: none lost, none delivered twice.
/// </summary>
public sealed class InflightCrashTests
{
    private const ushort QueueSize = 8;

    [Theory]
    [InlineData(InflightCrashStage.OneElementLogged, 0)]
    [InlineData(InflightCrashStage.BatchLogged, 0)]
    [InlineData(InflightCrashStage.Published, 2)]
    [InlineData(InflightCrashStage.Completed, 2)]
    public void A_new_back_end_resubmits_exactly_the_undelivered_requests(InflightCrashStage crashAfter, int delivered)
    {
        using GuestMemory memory = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(memory, 0x1000, QueueSize);
        ushort[] heads = [.. Enumerable.Range(0, 4).Select(i => driver.AddChain([[(byte)i]], [16]).Head)];
        using InflightRegion log = InflightRegion.Create(1, QueueSize);

        RunUntilCrash(driver.CreateDeviceQueue(eventIdx: false), log.Queues[0], crashAfter);

        // The driver sees the batch all or nothing.
        List<ushort> seen = [];
        while (driver.TryGetUsed(out ushort id, out _))
        {
            seen.Add(id);
        }

        Assert.Equal(heads[..delivered], seen);

        // A new back-end adopts the front-end's copy of the buffer and repairs it against the ring.
        using var reborn = InflightRegion.FromFd(Fd.Duplicate(log.Fd), log.Description);
        InflightQueue q = reborn.Queues[0];
        q.Repair(driver.UsedIndex);
        Assert.Equal(heads[delivered..], q.PendingInCounterOrder());
        Assert.Equal(driver.UsedIndex, q.UsedIdx);
    }

    [Fact]
    public void Batches_after_a_repair_are_tracked_from_where_the_log_left_off()
    {
        using GuestMemory memory = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(memory, 0x1000, QueueSize);
        ushort[] heads = [.. Enumerable.Range(0, 3).Select(i => driver.AddChain([[(byte)i]], [16]).Head)];
        using InflightRegion log = InflightRegion.Create(1, QueueSize);
        RunUntilCrash(driver.CreateDeviceQueue(eventIdx: false), log.Queues[0], InflightCrashStage.Published);

        using var reborn = InflightRegion.FromFd(Fd.Duplicate(log.Fd), log.Description);
        InflightQueue q = reborn.Queues[0];
        q.Repair(driver.UsedIndex);
        IReadOnlyList<ushort> pending = q.PendingInCounterOrder();
        Assert.Equal([heads[2]], pending);

        // The resubmitted head completes through the same order; then nothing is left in flight.
        SplitQueue queue = driver.CreateDeviceQueue(eventIdx: false);
        queue.AddUsedDeferred(pending[0], 0);
        q.MarkUsed(pending[0]);
        q.Complete(queue.PublishUsed());
        Assert.Empty(q.PendingInCounterOrder());
        Assert.Equal(3, q.UsedIdx);
    }

    /// <summary>Pops every available head (Begin each), then handles the first two as one batch up to the crash point.</summary>
    private static void RunUntilCrash(SplitQueue queue, InflightQueue log, InflightCrashStage crashAfter)
    {
        List<ushort> popped = [];
        while (queue.TryPop(out DescriptorChain? chain))
        {
            log.Begin(chain.HeadIndex);
            popped.Add(chain.HeadIndex);
        }

        queue.AddUsedDeferred(popped[0], 1);
        log.MarkUsed(popped[0]);
        if (crashAfter == InflightCrashStage.OneElementLogged)
        {
            return;
        }

        queue.AddUsedDeferred(popped[1], 1);
        log.MarkUsed(popped[1]);
        if (crashAfter == InflightCrashStage.BatchLogged)
        {
            return;
        }

        ushort usedIdx = queue.PublishUsed();
        if (crashAfter == InflightCrashStage.Published)
        {
            return;
        }

        log.Complete(usedIdx);
    }
}
