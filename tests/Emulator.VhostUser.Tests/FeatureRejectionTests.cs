using Emulator.Memory;
using Emulator.Posix;
using Emulator.TestPeer;

namespace Emulator.VhostUser.Tests;

/// <summary>One test per negotiation rule, config-space rule and in-flight-buffer rule.</summary>
public sealed class FeatureRejectionTests
{
    [Fact]
    public void Features_that_were_never_offered()
    {
        using var s = new BackendSession();
        s.SendRaw(FrontendRequest.SetFeatures, U64Payload.ToArray(1UL << 5));
        Assert.Contains("never offered", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Protocol_features_that_were_never_offered()
    {
        using var s = new BackendSession();
        s.SendRaw(FrontendRequest.SetProtocolFeatures, U64Payload.ToArray((ulong)VhostUserProtocolFeatures.LogShmfd));
        Assert.Contains("never offered", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_whose_protocol_feature_was_not_negotiated()
    {
        using var s = new BackendSession();
        s.Negotiate(VhostUserProtocolFeatures.ReplyAck);
        Assert.Contains("Config", s.ExpectRejection(() => s.Frontend.GetConfig(0, 4)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vendor_request_whose_feature_was_not_negotiated()
    {
        using var s = new BackendSession();
        s.Negotiate(VhostUserBackend.ImplementedProtocolFeatures);
        s.ExpectRejection(() => s.Frontend.SendRequest(EchoDevice.SumRequest, new byte[16], expectReply: false));
    }

    [Fact]
    public void Request_this_backend_does_not_support()
    {
        using var s = new BackendSession();
        s.SendRaw(FrontendRequest.CheckDeviceState, []);
        Assert.Contains("not supported", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_wider_than_eight_bits()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.SendRaw(FrontendRequest.SetStatus, U64Payload.ToArray(0x100));
        s.AssertRejected();
    }

    [Fact]
    public void Config_range_outside_the_device_config_space()
    {
        using var s = new BackendSession();
        s.Negotiate();
        Assert.Contains("outside", s.ExpectRejection(() => s.Frontend.GetConfig(12, 8)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_offset_past_the_end_without_wrapping()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.ExpectRejection(() => s.Frontend.SetConfig(uint.MaxValue, [1, 2]));
    }

    [Fact]
    public void Config_write_with_unknown_flags()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.ExpectRejection(() => s.Frontend.SetConfig(8, [1], flags: 7));
    }

    [Fact]
    public void Config_write_the_device_refuses()
    {
        using var s = new BackendSession();
        s.Negotiate();
        Assert.Contains("read-only", s.ExpectRejection(() => s.Frontend.SetConfig(0, [1])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inflight_buffer_whose_fd_is_too_small()
    {
        using var s = new BackendSession();
        s.Negotiate();
        using SafeFd small = MemFd.Create("small-inflight", 64);
        MemFd.AddSeals(small, MemFdSeals.Shrink);
        var d = new InflightDescription(InflightLayout.TotalSize(1, 16), 0, 1, 16);
        Assert.Contains("of its fd", s.ExpectRejection(() => s.Frontend.SetInflightFd(small, d)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inflight_description_too_small_for_its_queues()
    {
        using var s = new BackendSession();
        s.Negotiate();
        using SafeFd fd = MemFd.Create("inflight", 0x10000);
        var d = new InflightDescription(64, 0, 2, 16);
        Assert.Contains("too small", s.ExpectRejection(() => s.Frontend.SetInflightFd(fd, d)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inflight_buffer_for_more_queues_than_the_device_has()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.ExpectRejection(() => s.Frontend.GetInflightFd(3, 16));
    }

    [Fact]
    public void Inflight_queue_size_that_is_not_a_power_of_two()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.ExpectRejection(() => s.Frontend.GetInflightFd(1, 24));
    }

    [Fact]
    public void Inflight_log_that_does_not_match_the_ring_size()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        s.Negotiate();
        (SafeFd fd, InflightDescription d) = s.Frontend.GetInflightFd(1, 32);
        fd.Dispose();
        s.Frontend.SetMemTable(memory);
        var ring = new DriverRing(memory, TestMemory.RingBase, 16);
        Assert.Contains("in-flight log", s.ExpectRejection(
            () => s.Frontend.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, null)).Message,
            StringComparison.Ordinal);
        Assert.Equal(32, d.QueueSize);
    }
}
