using System.Buffers.Binary;
using Emulator.Memory;
using Emulator.TestPeer;

namespace Emulator.VhostUser.Tests;

/// <summary>One test per payload-size rule.</summary>
public sealed class PayloadRejectionTests
{
    [Fact]
    public void Fixed_size_request_with_a_short_payload()
    {
        using var s = new BackendSession();
        s.SendRaw(FrontendRequest.SetFeatures, new byte[4]);
        Assert.Contains("exactly 8", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_without_payload_that_carries_one()
    {
        using var s = new BackendSession();
        s.SendRaw(FrontendRequest.GetFeatures, new byte[8]);
        s.AssertRejected();
    }

    [Fact]
    public void Vring_address_of_the_wrong_size()
    {
        using var s = new BackendSession();
        s.SendRaw(FrontendRequest.SetVringAddr, new byte[VringAddress.Size - 8]);
        s.AssertRejected();
    }

    [Fact]
    public void Memory_table_with_zero_regions()
    {
        using var s = new BackendSession();
        s.SendRaw(FrontendRequest.SetMemTable, new byte[MemoryTable.HeaderLength]);
        Assert.Contains("0 regions", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_table_with_nine_regions()
    {
        using var s = new BackendSession();
        byte[] payload = new byte[MemoryTable.PayloadLengthFor(8)];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, 9);
        s.SendRaw(FrontendRequest.SetMemTable, payload);
        Assert.Contains("9 regions", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_table_whose_size_does_not_match_its_region_count()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        byte[] payload = new byte[MemoryTable.PayloadLengthFor(2)];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, 1);
        s.SendRaw(FrontendRequest.SetMemTable, payload, [memory.Regions[0].Fd.Number]);
        s.AssertRejected();
    }

    [Fact]
    public void Config_whose_size_field_disagrees_with_the_payload()
    {
        using var s = new BackendSession();
        s.Negotiate();
        byte[] payload = new ConfigPayload(0, 0, new byte[4]).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), 8);
        s.SendRaw(FrontendRequest.GetConfig, payload);
        s.AssertRejected();
    }

    [Fact]
    public void Config_access_larger_than_the_limit()
    {
        using var s = new BackendSession();
        s.Negotiate();
        byte[] payload = new byte[ConfigPayload.HeaderLength + VhostUserLimits.MaxConfigSize + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), VhostUserLimits.MaxConfigSize + 4);
        s.SendRaw(FrontendRequest.GetConfig, payload);
        s.AssertRejected();
    }

    [Fact]
    public void Vendor_request_outside_its_declared_size()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.SendRaw(new VhostUserHeader(EchoDevice.SumRequest, VhostUserFlags.Version1, 12), new byte[12]);
        s.AssertRejected();
    }
}
