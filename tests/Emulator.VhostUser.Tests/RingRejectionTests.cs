using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>One test per ring rule (index, size, placement, base, enable, flags).</summary>
public sealed class RingRejectionTests
{
    [Fact]
    public void Ring_index_not_below_the_queue_count()
    {
        using var s = new BackendSession();
        s.Negotiate();
        Assert.Contains("ring index 2", s.ExpectRejection(() => s.Frontend.SetVringNum(2, 16)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ring_index_out_of_range_on_kick()
    {
        using var s = new BackendSession();
        s.Negotiate();
        using var kick = new EventFd();
        s.ExpectRejection(() => s.Frontend.SetVringKick(7, kick));
    }

    [Fact]
    public void Ring_size_not_a_power_of_two()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.ExpectRejection(() => s.Frontend.SetVringNum(0, 100));
    }

    [Fact]
    public void Ring_size_above_the_device_maximum()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.ExpectRejection(() => s.Frontend.SetVringNum(0, 512));
    }

    [Fact]
    public void Ring_size_zero()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.ExpectRejection(() => s.Frontend.SetVringNum(0, 0));
    }

    [Fact]
    public void Ring_base_wider_than_sixteen_bits()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.SendRaw(FrontendRequest.SetVringBase, new VringState(0, 0x10000).ToArray());
        s.AssertRejected();
    }

    [Fact]
    public void Ring_enable_with_a_value_other_than_zero_or_one()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.SendRaw(FrontendRequest.SetVringEnable, new VringState(0, 2).ToArray());
        s.AssertRejected();
    }

    [Fact]
    public void Ring_address_with_the_log_flag()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.ExpectRejection(() => s.Frontend.SetVringAddr(new VringAddress(0, VringAddress.FlagLog, 0, 0, 0, 0)));
    }

    [Fact]
    public void Ring_outside_every_memory_region()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        s.Negotiate();
        s.Frontend.SetMemTable(memory);
        s.Frontend.SetVringNum(0, 16);
        ulong user = memory.Regions[0].UserAddress;
        Assert.Contains("descriptor table", s.ExpectRejection(
            () => s.Frontend.SetVringAddr(new VringAddress(0, 0, user + 0x200000, user + 0x2000, user + 0x1000, 0))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ring_that_straddles_two_regions()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.TwoAdjacentRegions();
        s.Negotiate();
        s.Frontend.SetMemTable(memory);
        s.Frontend.SetVringNum(0, 256);

        // The used ring (6 + 8 * 256 bytes) starts 0x100 before the end of region 0.
        ulong user0 = memory.Regions[0].UserAddress;
        Assert.Contains("used ring", s.ExpectRejection(
            () => s.Frontend.SetVringAddr(new VringAddress(0, 0, user0, user0 + 0x10000 - 0x100, user0 + 0x1000, 0))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ring_part_that_is_misaligned()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        s.Negotiate();
        s.Frontend.SetMemTable(memory);
        s.Frontend.SetVringNum(0, 16);
        ulong user = memory.Regions[0].UserAddress;
        Assert.Contains("aligned", s.ExpectRejection(
            () => s.Frontend.SetVringAddr(new VringAddress(0, 0, user + 8, user + 0x2000, user + 0x1000, 0))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ring_checked_again_at_start_when_memory_arrives_after_the_addresses()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        s.Negotiate();
        s.Frontend.SetVringNum(0, 16);
        s.Frontend.SetVringAddr(new VringAddress(0, 0, 0x1000, 0x3000, 0x2000, 0));
        s.Frontend.SetVringKick(0, kick);
        s.Frontend.SetVringEnable(0, true);
        s.ExpectRejection(() => s.Frontend.SetMemTable(memory));
    }
}
