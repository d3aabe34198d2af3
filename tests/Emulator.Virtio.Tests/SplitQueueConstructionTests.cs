using Emulator.Memory;

namespace Emulator.Virtio.Tests;

public sealed class SplitQueueConstructionTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(100)]
    [InlineData(32769)]
    [InlineData(65535)]
    public void Sizes_that_are_not_powers_of_two_up_to_32768_are_rejected(int size)
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        VirtqueueException e = Assert.Throws<VirtqueueException>(() => new SplitQueue(mem, (ushort)size, 0, 0x10000, 0x20000, false));
        Assert.Contains("power of two", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(256)]
    [InlineData(32768)]
    public void Valid_sizes_are_accepted(int size)
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var q = new SplitQueue(mem, (ushort)size, 0, 0x80000, 0x90000, true);
        Assert.Equal(size, q.Size);
        Assert.False(q.HasAvailable);
        Assert.False(q.TryPop(out _));
    }

    [Theory]
    [InlineData(8UL, 0x1000UL, 0x2000UL, "descriptor table")]
    [InlineData(0UL, 0x1001UL, 0x2000UL, "available ring")]
    [InlineData(0UL, 0x1000UL, 0x2002UL, "used ring")]
    public void Misaligned_rings_are_rejected(ulong desc, ulong avail, ulong used, string name)
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        VirtqueueException e = Assert.Throws<VirtqueueException>(() => new SplitQueue(mem, 16, desc, avail, used, false));
        Assert.Contains(name, e.Message);
        Assert.Contains("aligned", e.Message);
    }

    [Theory]
    [InlineData((1UL << 20) - 0x100, 0x1000UL, 0x2000UL, "descriptor table")] // 16*32 bytes run past the end
    [InlineData(0UL, (1UL << 20) - 0x40, 0x2000UL, "available ring")]
    [InlineData(0UL, 0x1000UL, (1UL << 20) - 0x100, "used ring")]
    [InlineData(0UL, 0x1000UL, 0xFFFF_FFFF_FFFF_FF00UL, "used ring")] // end wraps past 2^64
    [InlineData(0xFFFF_FFFF_FFFF_FFF0UL, 0x1000UL, 0x2000UL, "descriptor table")]
    [InlineData(0UL, 0x200000UL, 0x2000UL, "available ring")]
    public void Rings_outside_ram_are_rejected(ulong desc, ulong avail, ulong used, string name)
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        VirtqueueException e = Assert.Throws<VirtqueueException>(() => new SplitQueue(mem, 32, desc, avail, used, false));
        Assert.Contains(name, e.Message);
        Assert.Contains("not in guest RAM", e.Message);
    }

    [Fact]
    public void A_ring_in_a_gap_between_regions_is_rejected_but_one_across_adjacent_regions_is_accepted()
    {
        using GuestMemory gap = GuestMemory.Create((0, 0x1000), (0x2000, 0x1000));
        Assert.Throws<VirtqueueException>(() => new SplitQueue(gap, 16, 0xF80, 0x2000, 0x2100, false));

        using GuestMemory adjacent = GuestMemory.Create((0, 0x1000), (0x1000, 0x1000));
        var q = new SplitQueue(adjacent, 16, 0xF80, 0x1100, 0x1200, false);
        Assert.Equal(16, q.Size);
    }

    [Fact]
    public void Ring_index_fields_split_by_an_odd_region_boundary_are_rejected()
    {
        // avail.idx at 0x1002..0x1004 is cut by the boundary at 0x1003: it could not be read atomically.
        using GuestMemory mem = GuestMemory.Create((0, 0x1003), (0x1003, 0x1000));
        VirtqueueException e = Assert.Throws<VirtqueueException>(() => new SplitQueue(mem, 4, 0, 0x1000, 0x1100, false));
        Assert.Contains("straddles", e.Message);
    }
}
