using Emulator.Memory;

namespace Emulator.VhostUser.Tests;

/// <summary>One test per memory-table rule.</summary>
public sealed class MemoryRejectionTests
{
    [Fact]
    public void Region_whose_mmap_offset_and_size_pass_the_end_of_its_fd()
    {
        using var s = new BackendSession();
        using GuestMemory memory = GuestMemory.Create((0, 0x10000));
        GuestRegion r = memory.Regions[0];
        var table = new MemoryTable([new MemoryRegionDescription(0, 0x10000, r.UserAddress, 0x8000)]);
        s.SendRaw(FrontendRequest.SetMemTable, table.ToArray(), [r.Fd.Number]);
        Assert.Contains("bytes of its fd", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Regions_that_overlap_in_guest_physical_space()
    {
        using var s = new BackendSession();
        using GuestMemory memory = GuestMemory.Create((0, 0x10000), (0x100000, 0x10000));
        GuestRegion a = memory.Regions[0];
        GuestRegion b = memory.Regions[1];
        var table = new MemoryTable([
            new MemoryRegionDescription(0, 0x10000, a.UserAddress, 0),
            new MemoryRegionDescription(0x8000, 0x10000, b.UserAddress, 0),
        ]);
        s.SendRaw(FrontendRequest.SetMemTable, table.ToArray(), [a.Fd.Number, b.Fd.Number]);
        Assert.Contains("overlap", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Regions_that_overlap_in_frontend_virtual_space()
    {
        using var s = new BackendSession();
        using GuestMemory memory = GuestMemory.Create((0, 0x10000), (0x100000, 0x10000));
        GuestRegion a = memory.Regions[0];
        GuestRegion b = memory.Regions[1];
        var table = new MemoryTable([
            new MemoryRegionDescription(0, 0x10000, 0x7000_0000_0000, 0),
            new MemoryRegionDescription(0x100000, 0x10000, 0x7000_0000_8000, 0),
        ]);
        s.SendRaw(FrontendRequest.SetMemTable, table.ToArray(), [a.Fd.Number, b.Fd.Number]);
        Assert.Contains("user addresses", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_region()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        var table = new MemoryTable([new MemoryRegionDescription(0, 0, memory.Regions[0].UserAddress, 0)]);
        s.SendRaw(FrontendRequest.SetMemTable, table.ToArray(), [memory.Regions[0].Fd.Number]);
        Assert.Contains("empty", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Region_that_wraps_past_the_top_of_the_address_space()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        var table = new MemoryTable([new MemoryRegionDescription(ulong.MaxValue - 0xFFF, 0x100000, memory.Regions[0].UserAddress, 0)]);
        s.SendRaw(FrontendRequest.SetMemTable, table.ToArray(), [memory.Regions[0].Fd.Number]);
        s.AssertRejected();
    }

    [Fact]
    public void Removing_a_region_that_was_never_added()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        s.Negotiate();
        s.ExpectRejection(() => s.Frontend.RemMemReg(memory.Regions[0]));
    }

    [Fact]
    public void Adding_a_region_that_overlaps_one_already_mapped()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        s.Negotiate();
        s.Frontend.AddMemReg(memory.Regions[0]);
        s.ExpectRejection(() => s.Frontend.AddMemReg(memory.Regions[0]));
    }

    [Fact]
    public void Adding_more_regions_than_the_memory_slots_allow()
    {
        using var s = new BackendSession();
        var layout = Enumerable.Range(0, VhostUserLimits.MaxMemSlots + 1).Select(i => ((ulong)i * 0x10000, 0x1000UL)).ToArray();
        using GuestMemory memory = GuestMemory.Create(layout);
        s.Negotiate();
        for (int i = 0; i < VhostUserLimits.MaxMemSlots; i++)
        {
            s.Frontend.AddMemReg(memory.Regions[i]);
        }

        VhostUserProtocolException e = s.ExpectRejection(() => s.Frontend.AddMemReg(memory.Regions[VhostUserLimits.MaxMemSlots]));
        Assert.Contains($"all {VhostUserLimits.MaxMemSlots} memory slots are in use", e.Message, StringComparison.Ordinal);
    }
}
