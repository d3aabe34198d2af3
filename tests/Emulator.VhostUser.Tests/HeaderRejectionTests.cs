using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>One test per header rule: the back-end rejects the message, closes the connection, does not crash.</summary>
public sealed class HeaderRejectionTests
{
    [Fact]
    public void Unknown_request_code()
    {
        using var s = new BackendSession();
        s.SendRaw(new VhostUserHeader(99, VhostUserFlags.Version1, 0), []);
        Assert.Contains("unknown request 99", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Undeclared_vendor_code()
    {
        using var s = new BackendSession();
        s.SendRaw(new VhostUserHeader(1999, VhostUserFlags.Version1, 0), []);
        s.AssertRejected();
    }

    [Fact]
    public void Version_other_than_one()
    {
        using var s = new BackendSession();
        s.SendRaw(new VhostUserHeader((uint)FrontendRequest.GetFeatures, (VhostUserFlags)2, 0), []);
        Assert.Contains("version", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reserved_flag_bits_set()
    {
        using var s = new BackendSession();
        s.SendRaw(new VhostUserHeader((uint)FrontendRequest.GetFeatures, VhostUserFlags.Version1 | (VhostUserFlags)0x10, 0), []);
        Assert.Contains("reserved flag", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reply_flag_on_a_request()
    {
        using var s = new BackendSession();
        s.SendRaw(new VhostUserHeader((uint)FrontendRequest.GetFeatures, VhostUserFlags.Version1 | VhostUserFlags.Reply, 0), []);
        Assert.Contains("REPLY", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Payload_larger_than_the_limit_is_refused_before_it_is_read()
    {
        using var s = new BackendSession();

        // Only the header is sent: a back-end that tried to read the claimed megabyte would hang here.
        s.SendRaw(new VhostUserHeader((uint)FrontendRequest.SetFeatures, VhostUserFlags.Version1, 1 << 20), []);
        Assert.Contains("exceeds", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Need_reply_without_reply_ack_negotiated()
    {
        using var s = new BackendSession();
        s.SendRaw(VhostUserHeader.ForRequest((uint)FrontendRequest.SetOwner, 0, needReply: true), []);
        Assert.Contains("REPLY_ACK", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Peer_hanging_up_in_the_middle_of_a_message()
    {
        using var s = new BackendSession();
        byte[] partial = new byte[VhostUserHeader.Length + 3];
        VhostUserHeader.ForRequest((uint)FrontendRequest.SetFeatures, 8).Write(partial);
        UnixSocket.SendAll(s.Frontend.Socket, partial);
        UnixSocket.Shutdown(s.Frontend.Socket);
        Assert.Contains("hung up", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Peer_stalling_in_the_middle_of_a_message_times_out()
    {
        using var s = new BackendSession(messageTimeoutMs: 200);
        byte[] partial = new byte[VhostUserHeader.Length + 3];
        VhostUserHeader.ForRequest((uint)FrontendRequest.SetFeatures, 8).Write(partial);
        UnixSocket.SendAll(s.Frontend.Socket, partial);
        Assert.Contains("timed out", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Frontend_that_never_reads_its_replies_cannot_wedge_the_backend()
    {
        using var s = new BackendSession(messageTimeoutMs: 200);
        byte[] request = new byte[VhostUserHeader.Length];
        VhostUserHeader.ForRequest((uint)FrontendRequest.GetFeatures, 0).Write(request);
        for (int i = 0; i < 1_000_000 && !s.HasEnded; i++)
        {
            // Only write when there is room, so this side never blocks either.
            if (Poller.WaitOne(s.Frontend.Socket, PollEvents.Out, 50) == 0)
            {
                continue;
            }

            try
            {
                UnixSocket.SendAll(s.Frontend.Socket, request);
            }
            catch (PosixException)
            {
                break;
            }
        }

        Assert.Contains("not reading", s.AssertRejected().Message, StringComparison.Ordinal);
    }
}
