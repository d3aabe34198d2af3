using Emulator.Memory;

namespace Emulator.Virtio.Tests;

/// <summary>Deferred used elements: a batch becomes visible to the driver with one used.idx store.</summary>
public sealed class UsedBatchTests
{
    [Fact]
    public void Deferred_elements_stay_invisible_until_published_together()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0x100, 4);
        SplitQueue device = driver.CreateDeviceQueue(false);

        device.AddUsedDeferred(2, 10);
        device.AddUsedDeferred(0, 20);
        Assert.Equal(2, device.UnpublishedUsed);
        Assert.Equal(2, device.NextUsed);
        Assert.Equal(0, driver.UsedIndex);
        Assert.False(driver.TryGetUsed(out _, out _));

        Assert.Equal(2, device.PublishUsed());
        Assert.Equal(0, device.UnpublishedUsed);
        Assert.Equal(2, driver.UsedIndex);
        Assert.True(driver.TryGetUsed(out ushort id, out uint len));
        Assert.Equal((2, 10u), (id, len));
        Assert.True(driver.TryGetUsed(out id, out len));
        Assert.Equal((0, 20u), (id, len));

        // Nothing pending: publishing again changes nothing.
        Assert.Equal(2, device.PublishUsed());
        Assert.Equal(2, driver.UsedIndex);
    }

    [Fact]
    public void Notification_counts_only_published_elements()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0x100, 4);
        SplitQueue device = driver.CreateDeviceQueue(eventIdx: true);
        driver.UsedEvent = 0;
        Assert.True(device.NeedsNotification());

        device.AddUsedDeferred(1, 0);
        Assert.False(device.NeedsNotification());
        device.PublishUsed();
        Assert.True(device.NeedsNotification());
    }

    [Fact]
    public void More_unpublished_elements_than_the_ring_holds_are_refused()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0x100, 2);
        SplitQueue device = driver.CreateDeviceQueue(false);
        device.AddUsedDeferred(0, 0);
        device.AddUsedDeferred(1, 0);
        Assert.Throws<InvalidOperationException>(() => device.AddUsedDeferred(0, 0));
        device.PublishUsed();
        device.AddUsedDeferred(0, 0);
        Assert.Equal(1, device.UnpublishedUsed);
    }

    [Fact]
    public void Setting_next_used_drops_unpublished_elements()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0x100, 4);
        SplitQueue device = driver.CreateDeviceQueue(false);
        device.AddUsedDeferred(3, 0);
        device.NextUsed = 0;
        Assert.Equal(0, device.UnpublishedUsed);
        Assert.Equal(0, device.PublishUsed());
        Assert.Equal(0, driver.UsedIndex);
    }
}
