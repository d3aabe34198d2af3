using System.Buffers.Binary;
using System.Text;
using Emulator.Memory;
using Emulator.Posix;
using Emulator.TestPeer;

namespace Emulator.VhostUser.Tests;

/// <summary>Front-end and back-end in one process over a socketpair: the whole protocol, fast.</summary>
public sealed class InProcessProtocolTests
{
    [Fact]
    public void Negotiation_acks_offered_features_and_protocol_features()
    {
        using var s = new BackendSession();
        NegotiatedFeatures n = s.Negotiate();

        Assert.Equal(EchoDevice.VirtioVersion1 | VhostUserFeatureBits.ProtocolFeatures, n.Features);
        Assert.Equal(VhostUserBackend.ImplementedProtocolFeatures | EchoDevice.VendorFeature, n.ProtocolFeatures);
        Assert.Equal(2UL, s.Frontend.GetQueueNum());
        Assert.Equal((ulong)VhostUserLimits.MaxMemSlots, s.Frontend.GetMaxMemSlots());
        Assert.Equal(EchoDevice.VirtioVersion1, ((EchoDevice)s.Device).AckedFeatures);
    }

    [Fact]
    public void Ring_echoes_request_bytes_into_the_writable_buffer()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        s.Negotiate();
        s.Frontend.SetMemTable(memory);
        var ring = new DriverRing(memory, TestMemory.RingBase, 64);
        s.Frontend.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);

        byte[] request = Encoding.ASCII.GetBytes("hello from the driver");
        memory.Write(TestMemory.DataBase, request);
        ushort head = ring.AddChain((TestMemory.DataBase, (uint)request.Length, false), (TestMemory.DataBase + 0x1000, 64, true));
        kick.Signal();

        Assert.True(ring.WaitForUsed(1, call));
        Assert.Equal((head, (uint)request.Length), ring.UsedElement(0));
        byte[] echoed = new byte[request.Length];
        memory.Read(TestMemory.DataBase + 0x1000, echoed);
        Assert.Equal(request, echoed);
    }

    [Fact]
    public void Get_vring_base_stops_the_ring_and_reports_the_next_avail_index()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        s.Negotiate();
        s.Frontend.SetMemTable(memory);
        var ring = new DriverRing(memory, TestMemory.RingBase, 16);
        s.Frontend.ConfigureQueue(1, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);
        for (int i = 0; i < 3; i++)
        {
            ring.AddChain((TestMemory.DataBase, 8, false), (TestMemory.DataBase + 0x100, 8, true));
        }

        kick.Signal();
        Assert.True(ring.WaitForUsed(3, call));

        Assert.Equal(3, s.Frontend.GetVringBase(1));
        Assert.False(((EchoDevice)s.Device).IsRunning(1));

        // Stopped: a new request is not processed until the ring is configured again.
        ring.AddChain((TestMemory.DataBase, 8, false), (TestMemory.DataBase + 0x100, 8, true));
        kick.Signal();
        Assert.Equal(3, s.Frontend.GetVringBase(1));
        Assert.Equal(3, ring.UsedIdx);

        s.Frontend.ConfigureQueue(1, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call, nextAvail: 3);
        kick.Signal();
        Assert.True(ring.WaitForUsed(4, call));
    }

    [Fact]
    public void Ring_does_not_start_until_enabled_when_protocol_features_are_negotiated()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        s.Negotiate();
        s.Frontend.SetMemTable(memory);
        var ring = new DriverRing(memory, TestMemory.RingBase, 16);
        s.Frontend.SetVringNum(0, 16);
        s.Frontend.SetVringAddr(new VringAddress(0, 0, VhostUserFrontend.ToUserAddress(memory, ring.DescriptorTable),
            VhostUserFrontend.ToUserAddress(memory, ring.UsedRing), VhostUserFrontend.ToUserAddress(memory, ring.AvailableRing), 0));
        s.Frontend.SetVringKick(0, kick);
        Assert.False(((EchoDevice)s.Device).IsRunning(0));

        s.Frontend.SetVringEnable(0, true);
        Assert.True(((EchoDevice)s.Device).IsRunning(0));

        s.Frontend.SetVringEnable(0, false);
        Assert.False(((EchoDevice)s.Device).IsRunning(0));
    }

    [Fact]
    public void Rings_are_enabled_at_once_when_protocol_features_are_not_negotiated()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        s.Frontend.SetFeatures(EchoDevice.VirtioVersion1);
        s.Frontend.SetMemTable(memory);
        var ring = new DriverRing(memory, TestMemory.RingBase, 16);
        s.Frontend.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);

        // Without REPLY_ACK requests are posted unanswered; a GET is the barrier that they were handled.
        s.Frontend.GetFeatures();
        Assert.True(((EchoDevice)s.Device).IsRunning(0));
        ring.AddChain((TestMemory.DataBase, 4, false), (TestMemory.DataBase + 0x100, 4, true));
        kick.Signal();
        Assert.True(ring.WaitForUsed(1, call));
    }

    [Fact]
    public void Replacing_the_memory_table_restarts_running_rings_where_they_stopped()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        s.Negotiate();
        s.Frontend.SetMemTable(memory);
        var ring = new DriverRing(memory, TestMemory.RingBase, 32);
        s.Frontend.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);
        ring.AddChain((TestMemory.DataBase, 4, false), (TestMemory.DataBase + 0x100, 4, true));
        kick.Signal();
        Assert.True(ring.WaitForUsed(1, call));

        s.Frontend.SetMemTable(memory);
        Assert.True(((EchoDevice)s.Device).IsRunning(0));
        ring.AddChain((TestMemory.DataBase, 4, false), (TestMemory.DataBase + 0x100, 4, true));
        kick.Signal();
        Assert.True(ring.WaitForUsed(2, call));
    }

    [Fact]
    public void Config_space_reads_and_writes_reach_the_device()
    {
        using var s = new BackendSession();
        s.Negotiate();

        Assert.Equal("TESTPEER"u8.ToArray(), s.Frontend.GetConfig(0, 8));
        s.Frontend.SetConfig(8, [1, 2, 3, 4]);
        Assert.Equal(new byte[] { (byte)'R', 1, 2, 3, 4, 0 }, s.Frontend.GetConfig(7, 6));
    }

    [Fact]
    public void Status_round_trips_and_reset_device_clears_it()
    {
        using var s = new BackendSession();
        s.Negotiate();

        s.Frontend.SetStatus(0x0F);
        Assert.Equal(0x0F, s.Frontend.GetStatus());
        s.Frontend.ResetDevice();
        Assert.Equal(0, s.Frontend.GetStatus());
        Assert.Equal(1, ((EchoDevice)s.Device).Resets);
    }

    [Fact]
    public void Reset_device_stops_rings_and_forgets_their_state()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        s.Negotiate();
        s.Frontend.SetMemTable(memory);
        var ring = new DriverRing(memory, TestMemory.RingBase, 16);
        s.Frontend.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);
        ring.AddChain((TestMemory.DataBase, 4, false), (TestMemory.DataBase + 0x100, 4, true));
        kick.Signal();
        Assert.True(ring.WaitForUsed(1, call));

        s.Frontend.ResetDevice();
        Assert.False(((EchoDevice)s.Device).IsRunning(0));
        Assert.Equal(0, s.Frontend.GetVringBase(0));
    }

    [Fact]
    public void Vendor_request_is_answered_once_its_feature_is_negotiated()
    {
        using var s = new BackendSession();
        s.Negotiate();
        byte[] payload = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, 40);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(8), 2);

        byte[] reply = s.Frontend.SendRequest(EchoDevice.SumRequest, payload, expectReply: true);
        Assert.Equal(42UL, U64Payload.Parse(reply));
    }

    [Fact]
    public void Backend_request_channel_delivers_config_change()
    {
        using var s = new BackendSession();
        s.Negotiate();
        using BackendRequestListener listener = s.Frontend.SetBackendReqFd();

        s.Frontend.SendRequest(EchoDevice.ConfigChangeRequest, []);
        using VhostUserMessage? change = listener.Receive(10_000);
        Assert.NotNull(change);
        Assert.Equal((uint)BackendRequest.ConfigChangeMsg, change.Header.Request);
        Assert.Equal(0u, change.Header.Size);
    }

    [Fact]
    public void Get_inflight_fd_returns_an_initialized_log_the_ring_then_uses()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        s.Negotiate();
        (SafeFd fd, InflightDescription d) = s.Frontend.GetInflightFd(2, 16);
        using (fd)
        {
            Assert.Equal(InflightLayout.TotalSize(2, 16), d.MmapSize);
            using MemoryMapping map = MemoryMapping.MapShared(fd, 0, d.MmapSize);
            ulong queue1 = InflightLayout.QueueRegionSize(16);
            Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(map.GetSpan(queue1 + InflightLayout.VersionOffset, 2)));
            Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(map.GetSpan(queue1 + InflightLayout.DescNumOffset, 2)));

            s.Frontend.SetInflightFd(fd, d);
            s.Frontend.SetMemTable(memory);
            var ring = new DriverRing(memory, TestMemory.RingBase, 16);
            s.Frontend.ConfigureQueue(1, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);
            ushort head = ring.AddChain((TestMemory.DataBase, 4, false), (TestMemory.DataBase + 0x100, 4, true));
            kick.Signal();
            Assert.True(ring.WaitForUsed(1, call));
            Assert.Equal(0, s.Frontend.GetVringBase(1) - 1);

            // The request completed: logged used_idx caught up, the entry is no longer in flight, and it was stamped.
            Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(map.GetSpan(queue1 + InflightLayout.UsedIdxOffset, 2)));
            ulong entry = queue1 + InflightLayout.HeaderSize + (16UL * head);
            Assert.Equal(0, map.GetSpan(entry, 1)[0]);
            Assert.Equal(head, BinaryPrimitives.ReadUInt16LittleEndian(map.GetSpan(queue1 + InflightLayout.LastBatchHeadOffset, 2)));
        }
    }

    [Fact]
    public void Add_and_remove_memory_regions_one_at_a_time()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.TwoAdjacentRegions();
        using var kick = new EventFd();
        using var call = new EventFd();
        s.Negotiate();
        s.Frontend.AddMemReg(memory.Regions[0]);
        s.Frontend.AddMemReg(memory.Regions[1]);
        var ring = new DriverRing(memory, TestMemory.RingBase, 16);
        s.Frontend.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);

        // The buffers live in the second region.
        memory.Write(0x10000, "ping"u8);
        ring.AddChain((0x10000, 4, false), (0x10100, 4, true));
        kick.Signal();
        Assert.True(ring.WaitForUsed(1, call));
        Assert.Equal("ping"u8.ToArray(), memory.Regions[1].GetSpan(0x10100, 4).ToArray());

        s.Frontend.RemMemReg(memory.Regions[1]);
        Assert.True(((EchoDevice)s.Device).IsRunning(0));
    }

    [Fact]
    public void Need_reply_failure_status_reaches_the_frontend_before_the_close()
    {
        using var s = new BackendSession();
        s.Negotiate();

        var e = Assert.Throws<VhostUserProtocolException>(() => s.Frontend.SetVringNum(0, 3));
        Assert.Contains("refused", e.Message, StringComparison.Ordinal);
        s.AssertRejected();
    }

    [Fact]
    public void Memory_table_churn_under_a_busy_ring_loses_no_request()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        s.Negotiate();
        s.Frontend.SetMemTable(memory);
        var ring = new DriverRing(memory, TestMemory.RingBase, 64);
        s.Frontend.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);

        const int requests = 300;
        var driver = new Thread(() =>
        {
            for (int i = 1; i <= requests; i++)
            {
                ring.AddChain((TestMemory.DataBase, 8, false), (TestMemory.DataBase + 0x100, 8, true));
                kick.Signal();
                if (!ring.WaitForUsed((ushort)i, call))
                {
                    return;
                }
            }
        });
        driver.Start();

        // Each replacement stops the worker, swaps the mapping, and restarts it where it stopped.
        for (int i = 0; i < 50 && driver.IsAlive; i++)
        {
            s.Frontend.SetMemTable(memory);
        }

        Assert.True(driver.Join(30_000));
        Assert.Equal(requests, ring.UsedIdx);
        Assert.Equal(requests, s.Frontend.GetVringBase(0));
    }
}
