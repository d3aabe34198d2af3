using Emulator.Memory;
using Emulator.Posix;
using Emulator.TestPeer;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// Device bugs end the session with a protocol error instead of crashing; failure paths release what they
/// took; back-end requests report failure instead of throwing; a borrowed socket stays open.
/// </summary>
public sealed class SessionRobustnessTests
{
    [Fact]
    public void A_device_returning_too_few_config_bytes_ends_the_session_cleanly()
    {
        var device = new ScriptedDevice { ShortConfigBy = 1 };
        using var s = new BackendSession(device);
        s.Negotiate();
        VhostUserProtocolException e = s.ExpectRejection(() => s.Frontend.GetConfig(0, 8));
        Assert.Contains("returned 7 config bytes for a 8-byte read", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_vendor_reply_over_the_payload_limit_ends_the_session_cleanly()
    {
        using var s = new BackendSession(new ScriptedDevice());
        s.Negotiate();
        VhostUserProtocolException e = s.ExpectRejection(() => s.Frontend.SendRequest(ScriptedDevice.HugeReplyRequest, [], expectReply: true));
        Assert.Contains("exceeds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vendor_request_declared_with_three_descriptors_gets_exactly_three()
    {
        var device = new ScriptedDevice();
        using var s = new BackendSession(device);
        s.Negotiate();
        using var a = new EventFd();
        using var b = new EventFd();
        using var c = new EventFd();
        s.Frontend.SendRequest(ScriptedDevice.ThreeFdRequest, [], [a.Handle.Number, b.Handle.Number, c.Handle.Number]);
        Assert.Equal(3, device.LastVendorFdCount);

        VhostUserProtocolException e = s.ExpectRejection(() => s.Frontend.SendRequest(ScriptedDevice.ThreeFdRequest, [], [a.Handle.Number, b.Handle.Number]));
        Assert.Contains("expected 3 file descriptor(s), got 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_declaring_more_descriptors_than_a_message_carries_is_refused_up_front()
    {
        var device = new FdHungryDevice();
        (SafeFd a, SafeFd b) = UnixSocket.CreatePair();
        using (a)
        using (b)
        {
            ArgumentException e = Assert.Throws<ArgumentException>(() => new VhostUserBackend(a, device));
            Assert.Contains("declares 17 descriptors", e.Message, StringComparison.Ordinal);
            Assert.False(a.IsClosed);
        }
    }

    [Fact]
    public void Dispose_goes_on_past_a_ring_the_device_fails_to_stop()
    {
        var device = new ScriptedDevice();
        using var s = new BackendSession(device);
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick0 = new EventFd();
        using var kick1 = new EventFd();
        StartBothRings(s, memory, kick0, kick1);

        device.StopFailures = 1;
        device.StopFailure = new InvalidOperationException("device bug while stopping");
        s.Backend.RequestStop();
        s.WaitForEnd();

        Assert.Null(s.Result);
        Assert.Contains(s.Log, line => line.Contains("failed to stop ring 0", StringComparison.Ordinal));
        Assert.False(device.Inner.IsRunning(1));
    }

    [Fact]
    public void A_new_memory_table_is_released_when_the_rings_cannot_be_stopped()
    {
        var device = new ScriptedDevice();
        using var s = new BackendSession(device);
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        StartRing0(s, memory, kick);

        string name = MappedFiles.UniqueName("new-table");
        using var replacement = new GuestMemory([GuestRegion.Create(name, 0, 0x100000)]);
        device.StopFailures = 1;
        s.ExpectRejection(() => s.Frontend.SetMemTable(replacement));

        // Only this test's own mapping is left: the session unmapped the table it could not switch to.
        Assert.Equal(1, MappedFiles.CountMappings(name));
    }

    [Fact]
    public void An_added_region_is_released_when_the_rings_cannot_be_stopped()
    {
        var device = new ScriptedDevice();
        using var s = new BackendSession(device);
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        StartRing0(s, memory, kick);

        string name = MappedFiles.UniqueName("added-slot");
        using GuestRegion added = GuestRegion.Create(name, 0x1000_0000, 0x10000);
        device.StopFailures = 1;
        s.ExpectRejection(() => s.Frontend.AddMemReg(added));
        Assert.Equal(1, MappedFiles.CountMappings(name));
    }

    [Fact]
    public void A_new_inflight_buffer_is_released_when_the_rings_cannot_be_stopped()
    {
        var device = new ScriptedDevice();
        using var s = new BackendSession(device);
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        StartRing0(s, memory, kick);

        string name = MappedFiles.UniqueName("inflight");
        var d = new InflightDescription(InflightLayout.TotalSize(2, 64), 0, 2, 64);
        using SafeFd fd = MemFd.Create(name, (long)d.MmapSize);
        MemFd.AddSeals(fd, MemFdSeals.Shrink | MemFdSeals.Grow);
        device.StopFailures = 1;
        s.ExpectRejection(() => s.Frontend.SetInflightFd(fd, d));
        Assert.Equal(0, MappedFiles.CountMappings(name));
    }

    [Fact]
    public void A_back_end_request_to_a_closed_channel_returns_false_and_logs()
    {
        using var s = new BackendSession();
        s.Negotiate();
        BackendRequestListener listener = s.Frontend.SetBackendReqFd();
        Assert.Equal(2UL, s.Frontend.GetQueueNum());
        listener.Dispose();

        Assert.False(s.Backend.SendBackendRequest((uint)BackendRequest.ConfigChangeMsg, [], waitForAck: true));
        Assert.Contains(s.Log, line => line.Contains("dropping the back-end channel", StringComparison.Ordinal));
        Assert.False(s.Backend.SendConfigChange());
        Assert.Equal(2UL, s.Frontend.GetQueueNum());
    }

    [Fact]
    public void A_back_end_request_nobody_acknowledges_times_out_and_returns_false()
    {
        using var s = new BackendSession(backendReplyTimeoutMs: 100);
        s.Negotiate();
        using BackendRequestListener listener = s.Frontend.SetBackendReqFd();
        Assert.Equal(2UL, s.Frontend.GetQueueNum());

        Assert.False(s.Backend.SendBackendRequest((uint)BackendRequest.ConfigChangeMsg, [], waitForAck: true));
        using VhostUserMessage? unanswered = listener.Receive(10_000);
        Assert.NotNull(unanswered);
        Assert.True(unanswered.Header.NeedsReply);
    }

    [Fact]
    public void A_borrowed_socket_stays_open_after_the_session_while_the_front_end_sees_it_end()
    {
        (SafeFd frontendEnd, SafeFd backendEnd) = UnixSocket.CreatePair();
        using (frontendEnd)
        using (backendEnd)
        {
            var backend = new VhostUserBackend(backendEnd, new EchoDevice(), null, new VhostUserBackendOptions { OwnsSocket = false });
            VhostUserProtocolException? result = new("not run");
            var thread = new Thread(() => result = backend.Run()) { IsBackground = true };
            thread.Start();
            using (var frontend = new VhostUserFrontend(Fd.Duplicate(frontendEnd), 10_000))
            {
                Assert.Equal(2UL, frontend.GetQueueNum());
                backend.RequestStop();
                Assert.True(thread.Join(10_000));
            }

            Assert.Null(result);
            Assert.False(backendEnd.IsClosed);
            Assert.True(UnixSocket.IsStreamSocket(backendEnd));
            Assert.NotEqual(0, Poller.WaitOne(frontendEnd, PollEvents.In, 10_000));
            Assert.Equal(0, UnixSocket.Receive(frontendEnd, new byte[16], [], out _));
        }
    }

    [Fact]
    public void Stop_requests_before_during_and_after_the_session_are_harmless()
    {
        using var s = new BackendSession();
        s.Backend.RequestStop();
        s.WaitForEnd();
        s.Backend.RequestStop();
        s.Backend.Dispose();
        s.Backend.RequestStop();
        Assert.Null(s.Result);
    }

    private static void StartRing0(BackendSession s, GuestMemory memory, EventFd kick)
    {
        s.Negotiate();
        s.Frontend.SetMemTable(memory);
        var ring = new DriverRing(memory, TestMemory.RingBase, 64);
        s.Frontend.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, null);
        Assert.Equal(2UL, s.Frontend.GetQueueNum());
    }

    private static void StartBothRings(BackendSession s, GuestMemory memory, EventFd kick0, EventFd kick1)
    {
        StartRing0(s, memory, kick0);
        var ring = new DriverRing(memory, TestMemory.RingBase + 0x4000, 64);
        s.Frontend.ConfigureQueue(1, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick1, null);
        Assert.Equal(2UL, s.Frontend.GetQueueNum());
    }
}
