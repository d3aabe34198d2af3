using System.Collections.Immutable;

namespace Emulator.VhostUser.Tests;

/// <summary>The pure message-level validator, rule by rule, without sockets.</summary>
public sealed class MessageValidatorTests
{
    private static readonly ImmutableArray<VendorRequest> Vendor = [new VendorRequest(1000, 4, 8, 1, (VhostUserProtocolFeatures)(1UL << 50))];

    [Fact]
    public void Accepts_well_formed_requests()
    {
        Assert.True(Valid(FrontendRequest.GetFeatures, 0, 0));
        Assert.True(Valid(FrontendRequest.SetFeatures, 8, 0));
        Assert.True(Valid(FrontendRequest.SetVringAddr, 40, 0));
        Assert.True(MessageValidator.IsValid(Header(FrontendRequest.SetVringKick, 8), U64Payload.ToArray(1), 1, out _));
        Assert.True(MessageValidator.IsValid(Header(FrontendRequest.SetVringCall, 8), U64Payload.ToArray(0x101), 0, out _));
        Assert.True(MessageValidator.IsValid(new VhostUserHeader(1000, VhostUserFlags.Version1, 6), new byte[6], 1, out _, Vendor));
        Assert.True(Valid(FrontendRequest.RemMemReg, 40, 0));
        Assert.True(Valid(FrontendRequest.RemMemReg, 40, 1));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(19u)]
    [InlineData(41u)]
    [InlineData(999u)]
    [InlineData(1000u)]
    [InlineData(uint.MaxValue)]
    public void Rejects_unknown_requests(uint request) =>
        Assert.False(MessageValidator.IsValid(new VhostUserHeader(request, VhostUserFlags.Version1, 0), [], 0, out _));

    [Theory]
    [InlineData(0u)]
    [InlineData(2u)]
    [InlineData(3u)]
    [InlineData(0x11u)]
    [InlineData(0x80000001u)]
    [InlineData(0x5u)]
    public void Rejects_bad_flags(uint flags) =>
        Assert.False(MessageValidator.IsValid(new VhostUserHeader((uint)FrontendRequest.GetFeatures, (VhostUserFlags)flags, 0), [], 0, out _));

    [Fact]
    public void Rejects_oversized_payload_from_the_header_alone()
    {
        var header = new VhostUserHeader((uint)FrontendRequest.SetConfig, VhostUserFlags.Version1, 4097);
        Assert.Throws<VhostUserProtocolException>(() => MessageValidator.ValidateHeader(header));
    }

    [Theory]
    [InlineData(FrontendRequest.SetFeatures, 7)]
    [InlineData(FrontendRequest.SetFeatures, 9)]
    [InlineData(FrontendRequest.GetFeatures, 1)]
    [InlineData(FrontendRequest.SetVringNum, 4)]
    [InlineData(FrontendRequest.SetVringAddr, 32)]
    [InlineData(FrontendRequest.GetInflightFd, 20)]
    [InlineData(FrontendRequest.AddMemReg, 32)]
    public void Rejects_wrong_fixed_sizes(FrontendRequest request, int size) => Assert.False(Valid(request, size, Fds(request)));

    [Theory]
    [InlineData(0, 8, 0)]
    [InlineData(9, 8 + (9 * 32), 9)]
    [InlineData(2, 8 + 32, 2)]
    [InlineData(1, 8 + 64, 1)]
    [InlineData(2, 8 + 64, 1)]
    [InlineData(2, 8 + 64, 3)]
    public void Rejects_bad_memory_tables(int regions, int size, int fds)
    {
        byte[] payload = new byte[size];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)regions);
        Assert.False(MessageValidator.IsValid(Header(FrontendRequest.SetMemTable, size), payload, fds, out _));
    }

    [Theory]
    [InlineData(FrontendRequest.GetFeatures, 1)]
    [InlineData(FrontendRequest.SetInflightFd, 0)]
    [InlineData(FrontendRequest.SetInflightFd, 2)]
    [InlineData(FrontendRequest.SetBackendReqFd, 0)]
    [InlineData(FrontendRequest.AddMemReg, 0)]
    [InlineData(FrontendRequest.RemMemReg, 2)]
    public void Rejects_wrong_fd_counts(FrontendRequest request, int fds)
    {
        int size = (int)(MessageRules.ForFrontendRequest((uint)request)?.Size ?? 0);
        Assert.False(Valid(request, size, fds));
    }

    [Theory]
    [InlineData(0x0UL, 0)]
    [InlineData(0x100UL, 1)]
    [InlineData(0x200UL, 1)]
    [InlineData(0x1_0000_0000UL, 1)]
    public void Rejects_inconsistent_vring_fd_requests(ulong value, int fds) =>
        Assert.False(MessageValidator.IsValid(Header(FrontendRequest.SetVringErr, 8), U64Payload.ToArray(value), fds, out _));

    [Theory]
    [InlineData(4, 12 + 3)]
    [InlineData(4, 12 + 5)]
    [InlineData(257, 12 + 257)]
    [InlineData(0, 11)]
    public void Rejects_config_size_mismatches(uint declared, int size)
    {
        byte[] payload = new byte[size];
        if (size >= 8)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), declared);
        }

        Assert.False(MessageValidator.IsValid(Header(FrontendRequest.SetConfig, size), payload, 0, out _));
    }

    [Fact]
    public void Rejects_payload_length_that_disagrees_with_the_header() =>
        Assert.False(MessageValidator.IsValid(Header(FrontendRequest.SetFeatures, 8), new byte[4], 0, out _));

    [Fact]
    public void Vendor_requests_follow_their_declared_shape()
    {
        Assert.False(MessageValidator.IsValid(new VhostUserHeader(1000, VhostUserFlags.Version1, 3), new byte[3], 1, out _, Vendor));
        Assert.False(MessageValidator.IsValid(new VhostUserHeader(1000, VhostUserFlags.Version1, 9), new byte[9], 1, out _, Vendor));
        Assert.False(MessageValidator.IsValid(new VhostUserHeader(1000, VhostUserFlags.Version1, 4), new byte[4], 0, out _, Vendor));
    }

    [Fact]
    public void Reply_headers_must_answer_the_request()
    {
        MessageValidator.ValidateReplyHeader(VhostUserHeader.ForReply(1, 8), 1);
        Assert.Throws<VhostUserProtocolException>(() => MessageValidator.ValidateReplyHeader(VhostUserHeader.ForRequest(1, 8), 1));
        Assert.Throws<VhostUserProtocolException>(() => MessageValidator.ValidateReplyHeader(VhostUserHeader.ForReply(2, 8), 1));
        Assert.Throws<VhostUserProtocolException>(() => MessageValidator.ValidateReplyHeader(VhostUserHeader.ForReply(1, 5000), 1));
    }

    private static VhostUserHeader Header(FrontendRequest request, int size) => VhostUserHeader.ForRequest((uint)request, size);

    private static bool Valid(FrontendRequest request, int size, int fds) =>
        MessageValidator.IsValid(Header(request, size), new byte[size], fds, out _);

    private static int Fds(FrontendRequest request) => MessageRules.ForFrontendRequest((uint)request)?.Fds == FdRule.One ? 1 : 0;
}
