using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>The back-end is untrusted too: the front-end checks every reply and never waits forever.</summary>
public sealed class FrontendReplyValidationTests : IDisposable
{
    private readonly SafeFd _backendEnd;
    private readonly VhostUserFrontend _frontend;

    public FrontendReplyValidationTests()
    {
        (SafeFd a, SafeFd b) = UnixSocket.CreatePair();
        _frontend = new VhostUserFrontend(a, timeoutMs: 300);
        _backendEnd = b;
    }

    [Fact]
    public void Reply_without_the_reply_flag()
    {
        Answer(VhostUserHeader.ForRequest((uint)FrontendRequest.GetFeatures, 8), new byte[8]);
        Assert.Throws<VhostUserProtocolException>(() => _frontend.GetFeatures());
    }

    [Fact]
    public void Reply_to_a_different_request()
    {
        Answer(VhostUserHeader.ForReply((uint)FrontendRequest.GetProtocolFeatures, 8), new byte[8]);
        Assert.Throws<VhostUserProtocolException>(() => _frontend.GetFeatures());
    }

    [Fact]
    public void Reply_of_the_wrong_size()
    {
        Answer(VhostUserHeader.ForReply((uint)FrontendRequest.GetFeatures, 4), new byte[4]);
        Assert.Throws<VhostUserProtocolException>(() => _frontend.GetFeatures());
    }

    [Fact]
    public void Reply_claiming_a_huge_payload()
    {
        Answer(VhostUserHeader.ForReply((uint)FrontendRequest.GetFeatures, 1 << 20), []);
        Assert.Throws<VhostUserProtocolException>(() => _frontend.GetFeatures());
    }

    [Fact]
    public void Reply_with_unexpected_descriptors()
    {
        using var stray = new EventFd();
        Answer(VhostUserHeader.ForReply((uint)FrontendRequest.GetFeatures, 8), new byte[8], [stray.Handle.Number]);
        Assert.Throws<VhostUserProtocolException>(() => _frontend.GetFeatures());
    }

    [Fact]
    public void Hung_backend_times_out()
    {
        VhostUserProtocolException e = Assert.Throws<VhostUserProtocolException>(() => _frontend.GetFeatures());
        Assert.Contains("timed out", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Closed_backend_is_reported()
    {
        _backendEnd.Dispose();
        Assert.Throws<VhostUserProtocolException>(() => _frontend.GetFeatures());
    }

    [Fact]
    public void Vring_base_reply_for_another_ring()
    {
        Answer(VhostUserHeader.ForReply((uint)FrontendRequest.GetVringBase, 8), new VringState(1, 5).ToArray());
        Assert.Throws<VhostUserProtocolException>(() => _frontend.GetVringBase(0));
    }

    public void Dispose()
    {
        _frontend.Dispose();
        _backendEnd.Dispose();
    }

    private void Answer(VhostUserHeader header, byte[] payload, int[]? fds = null)
    {
        byte[] bytes = new byte[VhostUserHeader.Length + payload.Length];
        header.Write(bytes);
        payload.CopyTo(bytes.AsSpan(VhostUserHeader.Length));
        UnixSocket.SendAll(_backendEnd, bytes, fds ?? []);
    }
}
