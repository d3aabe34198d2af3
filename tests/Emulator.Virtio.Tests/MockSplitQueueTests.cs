using Emulator.Memory;

namespace Emulator.Virtio.Tests;

public sealed class MockSplitQueueTests
{
    [Fact]
    public void Rings_are_laid_out_with_the_spec_alignments()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0x1003, 4);
        Assert.Equal(0x1010UL, driver.DescTable);
        Assert.Equal(0x1050UL, driver.AvailRing);
        Assert.Equal(0x1060UL, driver.UsedRing); // 0x1050 + 6 + 8 = 0x105E, aligned to 4
        Assert.Equal(0x1090UL, driver.DataStart); // 0x1060 + 6 + 32 = 0x1086, aligned to 16
        Assert.Equal(1UL << 20, driver.DataEnd);
        Assert.Equal(0UL, driver.Allocate(3) % 16);
    }

    [Fact]
    public void Rings_that_do_not_fit_and_bad_sizes_are_refused()
    {
        using GuestMemory mem = GuestMemory.Create((0, 0x1000));
        Assert.Throws<ArgumentException>(() => new MockSplitQueue(mem, 0, 256));
        Assert.Throws<ArgumentException>(() => new MockSplitQueue(mem, 0x2000, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MockSplitQueue(mem, 0, 6));
    }

    [Fact]
    public void Descriptors_are_recycled_when_chains_come_back_used()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0, 4);
        SplitQueue device = driver.CreateDeviceQueue(false);
        driver.AddChain([[1], [2]], [1, 1]);
        Assert.Throws<InvalidOperationException>(() => driver.AddChain([[1]], []));

        Assert.True(device.TryPop(out DescriptorChain? chain));
        device.AddUsed(chain.HeadIndex, 0);
        Assert.True(driver.TryGetUsed(out _, out _));
        MockChain again = driver.AddIndirectChain([[1], [2], [3]], [4, 4]);
        Assert.True(device.TryPop(out chain));
        Assert.Equal(again.Head, chain.HeadIndex);
        Assert.Equal(5, chain.Descriptors.Count);
    }

    [Fact]
    public void The_allocator_runs_out_and_can_be_reset()
    {
        using GuestMemory mem = GuestMemory.Create((0, 0x1000));
        var driver = new MockSplitQueue(mem, 0, 1);
        ulong first = driver.Allocate(0x100);
        Assert.Throws<InvalidOperationException>(() => driver.Allocate(0x1000));
        driver.ResetAllocator();
        Assert.Equal(first, driver.Allocate(0x100));
        Assert.Throws<ArgumentException>(() => driver.AddChain([], []));
    }
}
