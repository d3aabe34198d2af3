using Emulator.Memory;

namespace Emulator.Virtio.Tests;

public sealed class UsedRingTests
{
    [Fact]
    public void AddUsed_writes_the_element_then_publishes_the_index()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0x100, 4);
        SplitQueue device = driver.CreateDeviceQueue(false);
        Assert.False(driver.TryGetUsed(out _, out _));

        device.AddUsed(3, 77);
        device.AddUsed(1, 0);
        Assert.Equal(2, device.NextUsed);
        Assert.Equal(2, driver.UsedIndex);
        Assert.Equal(3u, mem.ReadU32(driver.UsedRing + 4));
        Assert.Equal(77u, mem.ReadU32(driver.UsedRing + 8));

        Assert.True(driver.TryGetUsed(out ushort id, out uint len));
        Assert.Equal((3, 77u), (id, len));
        Assert.True(driver.TryGetUsed(out id, out len));
        Assert.Equal((1, 0u), (id, len));
        Assert.False(driver.TryGetUsed(out _, out _));
    }

    [Fact]
    public void Used_elements_wrap_around_the_ring_and_the_index_wraps_at_16_bits()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0, 2);
        driver.SetUsedIndex(65535);
        SplitQueue device = driver.CreateDeviceQueue(false);
        for (uint i = 0; i < 5; i++)
        {
            device.AddUsed((ushort)(i % 2), i);
            Assert.True(driver.TryGetUsed(out ushort id, out uint len));
            Assert.Equal((ushort)(i % 2), id);
            Assert.Equal(i, len);
        }

        Assert.Equal(4, driver.UsedIndex);
    }

    [Fact]
    public void AddUsed_with_a_head_past_the_queue_is_a_device_bug()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        SplitQueue device = new MockSplitQueue(mem, 0, 4).CreateDeviceQueue(false);
        Assert.Throws<ArgumentOutOfRangeException>(() => device.AddUsed(4, 0));
    }

    [Fact]
    public void The_mock_rejects_a_used_id_past_the_queue()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0, 4);
        mem.Write(driver.UsedRing + 4, 9u);
        driver.SetUsedIndex(0);
        mem.StoreReleaseU16(driver.UsedRing + 2, 1);
        Assert.Throws<InvalidOperationException>(() => driver.TryGetUsed(out _, out _));
    }
}
