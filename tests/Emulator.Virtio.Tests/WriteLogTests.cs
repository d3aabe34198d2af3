using Emulator.Memory;

namespace Emulator.Virtio.Tests;

/// <summary>A queue with a write log logs every chain-writer write and used-ring write, before used.idx moves.</summary>
public sealed class WriteLogTests
{
    [Fact]
    public void Writer_pieces_and_used_ring_writes_are_logged_before_the_index_is_published()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0x100, 4);
        var log = new RecordingWriteLog(mem, driver.UsedRing);
        SplitQueue device = new(mem, 4, driver.DescTable, driver.AvailRing, driver.UsedRing, false)
        {
            WriteLog = log,
            UsedRingLogAddress = 0x9000,
        };
        MockChain mock = driver.AddChain([[1, 2, 3]], [5, 7]);
        IReadOnlyList<Descriptor> writable = mock.Writable;

        Assert.True(device.TryPop(out DescriptorChain? chain));
        DescriptorChainWriter status = chain.Writer.SplitAtEnd(1);
        chain.Writer.Write(new byte[11]);
        status.Write([0]);
        device.AddUsed(chain.HeadIndex, 12);

        Assert.Equal(
            [
                (writable[0].Address, 5UL, (ushort)0),
                (writable[1].Address, 6UL, (ushort)0),
                (writable[1].Address + 6, 1UL, (ushort)0),
                (0x9000 + SplitRingLayout.RingOffset, SplitRingLayout.UsedElementSize, (ushort)0),
                (0x9000 + SplitRingLayout.IndexOffset, 2UL, (ushort)0),
            ],
            log.Entries);
        Assert.Equal(1, driver.UsedIndex);
    }

    [Fact]
    public void Notification_flag_and_avail_event_writes_are_logged_too()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0x100, 8);
        var log = new RecordingWriteLog(mem, driver.UsedRing);
        SplitQueue plain = new(mem, 8, driver.DescTable, driver.AvailRing, driver.UsedRing, false) { WriteLog = log, UsedRingLogAddress = driver.UsedRing };
        plain.DisableNotification();
        plain.EnableNotification();
        SplitQueue eventIdx = new(mem, 8, driver.DescTable, driver.AvailRing, driver.UsedRing, true) { WriteLog = log, UsedRingLogAddress = driver.UsedRing };
        eventIdx.EnableNotification();

        Assert.Equal(
            [driver.UsedRing + SplitRingLayout.FlagsOffset, driver.UsedRing + SplitRingLayout.FlagsOffset, driver.UsedRing + SplitRingLayout.AvailEventOffset(8)],
            log.Entries.Select(e => e.Address));
    }

    [Fact]
    public void Without_a_used_ring_log_address_only_buffers_are_logged_and_without_a_log_nothing()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0x100, 4);
        var log = new RecordingWriteLog(mem, driver.UsedRing);
        SplitQueue device = new(mem, 4, driver.DescTable, driver.AvailRing, driver.UsedRing, false) { WriteLog = log };
        driver.AddChain([], [4]);
        Assert.True(device.TryPop(out DescriptorChain? chain));
        chain.Writer.Write([1, 2, 3, 4]);
        device.AddUsed(chain.HeadIndex, 4);
        Assert.Single(log.Entries);

        SplitQueue unlogged = driver.CreateDeviceQueue(false);
        unlogged.NextAvail = 1;
        unlogged.NextUsed = 1;
        driver.AddChain([], [4]);
        Assert.True(unlogged.TryPop(out chain));
        chain.Writer.Write([1, 2, 3, 4]);
        unlogged.AddUsed(chain.HeadIndex, 4);
        Assert.Single(log.Entries);
        Assert.Null(unlogged.WriteLog);
    }

    [Fact]
    public void A_used_ring_log_address_at_the_top_of_the_address_space_is_skipped_not_wrapped()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0x100, 4);
        var log = new RecordingWriteLog(mem, driver.UsedRing);
        SplitQueue device = new(mem, 4, driver.DescTable, driver.AvailRing, driver.UsedRing, false) { WriteLog = log, UsedRingLogAddress = ulong.MaxValue - 1 };
        device.AddUsed(0, 0);
        Assert.Empty(log.Entries);
        Assert.Equal(1, driver.UsedIndex);
    }
}
