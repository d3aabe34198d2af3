using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>One test per descriptor-count rule, and the rule that rejected descriptors are closed.</summary>
public sealed class FdRejectionTests
{
    [Fact]
    public void Memory_table_with_fewer_fds_than_regions()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.TwoAdjacentRegions();
        var table = new MemoryTable([.. memory.Regions.Select(r => new MemoryRegionDescription(r.GuestBase, r.Size, r.UserAddress, 0))]);
        s.SendRaw(FrontendRequest.SetMemTable, table.ToArray(), [memory.Regions[0].Fd.Number]);
        Assert.Contains("expected 2 file descriptor(s), got 1", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kick_without_fd_and_without_the_no_fd_flag()
    {
        using var s = new BackendSession();
        s.SendRaw(FrontendRequest.SetVringKick, new VringFdRequest(0, false).ToArray());
        s.AssertRejected();
    }

    [Fact]
    public void Call_with_the_no_fd_flag_and_an_fd()
    {
        using var s = new BackendSession();
        using var call = new EventFd();
        s.SendRaw(FrontendRequest.SetVringCall, new VringFdRequest(0, true).ToArray(), [call.Handle.Number]);
        s.AssertRejected();
    }

    [Fact]
    public void Vring_fd_payload_with_reserved_bits()
    {
        using var s = new BackendSession();
        using var kick = new EventFd();
        s.SendRaw(FrontendRequest.SetVringKick, U64Payload.ToArray(0x200), [kick.Handle.Number]);
        Assert.Contains("reserved bits", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fd_on_a_request_that_takes_none_is_rejected_and_closed()
    {
        using var s = new BackendSession();
        (SafeFd read, SafeFd write) = Fd.Pipe();
        using (read)
        {
            using (write)
            {
                s.SendRaw(FrontendRequest.GetFeatures, [], [write.Number]);
            }

            s.AssertRejected();

            // Our copy of the write end is closed; end-of-file proves the back-end closed the one it received.
            Assert.NotEqual(0, Poller.WaitOne(read, PollEvents.In, 10_000));
            Assert.Equal(0, Fd.Read(read, new byte[1]));
        }
    }

    [Fact]
    public void Set_inflight_fd_without_an_fd()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.SendRaw(FrontendRequest.SetInflightFd, new InflightDescription(4096, 0, 1, 16).ToArray());
        s.AssertRejected();
    }

    [Fact]
    public void Set_backend_req_fd_without_an_fd()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.SendRaw(FrontendRequest.SetBackendReqFd, []);
        s.AssertRejected();
    }

    [Fact]
    public void Kick_fd_that_is_not_an_eventfd()
    {
        using var s = new BackendSession();
        s.Negotiate();
        using SafeFd memfd = MemFd.Create("not-an-eventfd", 4096);
        s.SendRaw(FrontendRequest.SetVringKick, new VringFdRequest(0, false).ToArray(), [memfd.Number]);
        Assert.Contains("not an eventfd", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kick_without_fd_asking_for_polling()
    {
        using var s = new BackendSession();
        s.Negotiate();
        s.ExpectRejection(() => s.Frontend.SetVringKick(0, null));
    }

    [Fact]
    public void Backend_req_fd_that_is_not_a_socket()
    {
        using var s = new BackendSession();
        s.Negotiate();
        using var notSocket = new EventFd();
        s.SendRaw(FrontendRequest.SetBackendReqFd, [], [notSocket.Handle.Number]);
        Assert.Contains("not a socket", s.AssertRejected().Message, StringComparison.Ordinal);
    }
}
