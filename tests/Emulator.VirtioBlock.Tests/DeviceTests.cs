using System.Buffers.Binary;
using System.Text;
using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.VirtioBlock.Tests;

/// <summary>The device driven through the real vhost-user front-end and back-end, with a mock driver on the rings.</summary>
public sealed class DeviceTests
{
    private const ulong DiskSize = 1 << 20;

    [Fact]
    public void Features_and_config_describe_the_disk()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image, new BlockDeviceSettings { NumQueues = 3, DiscardUnmap = true }).Start();

        ulong f = s.Device.AckedFeatures;
        foreach (ulong bit in new[] { VirtioBlkFeatures.Version1, VirtioBlkFeatures.SegMax, VirtioBlkFeatures.BlkSize, VirtioBlkFeatures.Flush,
                     VirtioBlkFeatures.ConfigWce, VirtioBlkFeatures.MultiQueue, VirtioBlkFeatures.Discard, VirtioBlkFeatures.WriteZeroes })
        {
            Assert.NotEqual(0UL, f & bit);
        }

        Assert.Equal(0UL, f & VirtioBlkFeatures.ReadOnly);
        Assert.Equal(3UL, s.Frontend.GetQueueNum());
        Assert.NotEqual(VhostUserProtocolFeatures.None, s.Frontend.ProtocolFeatures & VhostUserProtocolFeatures.InflightShmfd);

        byte[] c = s.Frontend.GetConfig(0, VirtioBlkConfig.Size);
        Assert.Equal(DiskSize / 512, BinaryPrimitives.ReadUInt64LittleEndian(c));
        Assert.Equal(512u, BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(VirtioBlkConfig.BlkSizeOffset)));
        Assert.Equal(126u, BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(VirtioBlkConfig.SegMaxOffset)));
        Assert.Equal(3, BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(VirtioBlkConfig.NumQueuesOffset)));
        Assert.Equal(1, c[VirtioBlkConfig.WritebackOffset]);
        Assert.Equal(1, c[VirtioBlkConfig.WriteZeroesMayUnmapOffset]);
        Assert.Equal(32u, BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(VirtioBlkConfig.MaxDiscardSegOffset)));
        Assert.Equal(c.AsSpan(VirtioBlkConfig.NumQueuesOffset, 2).ToArray(), s.Frontend.GetConfig(VirtioBlkConfig.NumQueuesOffset, 2));
    }

    [Fact]
    public void A_read_only_disk_offers_ro_and_fails_writes_without_touching_the_image()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image, new BlockDeviceSettings { ReadOnly = true }).Start();
        BlockDriver d = s.Drivers[0];

        Assert.NotEqual(0UL, s.Device.AckedFeatures & VirtioBlkFeatures.ReadOnly);
        Assert.Equal(0UL, s.Device.AckedFeatures & VirtioBlkFeatures.Discard);
        Assert.Equal(VirtioBlkStatus.IoErr, d.Write(0, Requests.Pattern(512, 1)));
        Assert.Equal(VirtioBlkStatus.Unsupp, d.RangeList(VirtioBlkRequestType.Discard, (0, 1, 0)));
        Assert.Equal(VirtioBlkStatus.Ok, d.Read(0, 512).Status);
        Assert.Equal(VirtioBlkStatus.Ok, d.Flush());
        Assert.DoesNotContain(image.Calls, c => c.StartsWith("write", StringComparison.Ordinal) || c.StartsWith("discard", StringComparison.Ordinal));
    }

    [Fact]
    public void Written_sectors_read_back_across_buffer_boundaries()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image).Start();
        BlockDriver d = s.Drivers[0];
        byte[] data = Requests.Pattern(8192, 7);

        Assert.Equal(VirtioBlkStatus.Ok, d.Write(100, data[..1000], data[1000..5000], data[5000..]));
        Assert.Equal(data, image.Snapshot().AsSpan(100 * 512, data.Length).ToArray());

        (VirtioBlkStatus status, byte[] back, uint used) = d.Read(100, 512, 3000, 4680);
        Assert.Equal(VirtioBlkStatus.Ok, status);
        Assert.Equal(data, back);
        Assert.Equal((uint)data.Length + 1, used);
    }

    [Fact]
    public void Buffers_that_straddle_two_guest_regions_go_through_the_bounce_buffer()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image).Start();
        BlockDriver d = s.Drivers[0];
        byte[] data = Requests.Pattern(4096, 9);
        ulong straddle = BlockSession.RegionSize - 1000;
        ulong header = d.Queue.AllocateData(Requests.Header(VirtioBlkRequestType.Out, 8));
        ulong status = d.Queue.Allocate(1);
        s.Memory.Write(straddle, data);
        d.Queue.WriteDescriptor(0, header, 16, 1, 1);
        d.Queue.WriteDescriptor(1, straddle, 4096, 1, 2);
        d.Queue.WriteDescriptor(2, status, 1, 2, 0);
        d.Queue.PublishAvail(0);
        d.Kick.Signal();
        Assert.Equal(1u, d.WaitUsed(0));
        Assert.Equal(0, s.Memory.Read<byte>(status));
        Assert.Equal(data, image.Snapshot().AsSpan(8 * 512, 4096).ToArray());

        s.Memory.Zero(straddle, 4096);
        s.Memory.Write(header, Requests.Header(VirtioBlkRequestType.In, 8));
        d.Queue.WriteDescriptor(1, straddle, 4096, 3, 2);
        d.Queue.PublishAvail(0);
        d.Kick.Signal();
        Assert.Equal(4097u, d.WaitUsed(0));
        byte[] back = new byte[4096];
        s.Memory.Read(straddle, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void Flush_reaches_the_image_before_the_request_completes()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image).Start();
        BlockDriver d = s.Drivers[0];
        byte[] data = Requests.Pattern(1024, 3);

        Assert.Equal(VirtioBlkStatus.Ok, d.Write(2, data));
        Assert.Equal(0, image.Flushes);
        Assert.Equal(VirtioBlkStatus.Ok, d.Flush());
        Assert.Equal(1, image.Flushes);
        Assert.Equal(data, image.StableSnapshot().AsSpan(1024, 1024).ToArray());
    }

    [Fact]
    public void With_the_write_cache_turned_off_every_write_is_flushed()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image).Start();
        s.Frontend.SetConfig(VirtioBlkConfig.WritebackOffset, [0]);
        s.Barrier();
        Assert.False(s.Device.WritebackCache);

        Assert.Equal(VirtioBlkStatus.Ok, s.Drivers[0].Write(0, Requests.Pattern(512, 4)));
        Assert.Equal(1, image.Flushes);
        Assert.Equal(0, s.Frontend.GetConfig(VirtioBlkConfig.WritebackOffset, 1)[0]);
    }

    [Fact]
    public void Without_flush_negotiated_the_cache_is_write_through()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image).Start(withhold: VirtioBlkFeatures.Flush);
        Assert.Equal(VirtioBlkStatus.Ok, s.Drivers[0].Write(0, Requests.Pattern(512, 4)));
        Assert.Equal(1, image.Flushes);
    }

    [Fact]
    public void Get_id_returns_the_serial_padded_with_nuls()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image, new BlockDeviceSettings { Serial = "disk-42" }).Start();
        (VirtioBlkStatus status, byte[] id) = s.Drivers[0].GetId(20);
        Assert.Equal(VirtioBlkStatus.Ok, status);
        Assert.Equal(Encoding.ASCII.GetBytes("disk-42").Concat(new byte[13]), id);
    }

    [Fact]
    public void Discard_and_write_zeroes_reach_the_image_as_configured()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image, new BlockDeviceSettings { DiscardUnmap = true }).Start();
        BlockDriver d = s.Drivers[0];
        d.Write(0, Enumerable.Repeat((byte)0xAB, 8192).ToArray());

        Assert.Equal(VirtioBlkStatus.Ok, d.RangeList(VirtioBlkRequestType.Discard, (0, 2, 0), (4, 1, 0)));
        Assert.Equal(VirtioBlkStatus.Ok, d.RangeList(VirtioBlkRequestType.WriteZeroes, (8, 4, 1)));
        Assert.Equal(VirtioBlkStatus.Ok, d.RangeList(VirtioBlkRequestType.WriteZeroes, (14, 1, 0)));
        Assert.Contains("discard 0 1024", image.Calls);
        Assert.Contains("discard 2048 512", image.Calls);
        Assert.Contains("write-zeroes-unmap 4096 2048", image.Calls);
        Assert.Contains("write-zeroes 7168 512", image.Calls);
        Assert.Equal(new byte[2048], image.Snapshot().AsSpan(4096, 2048).ToArray());
    }

    [Fact]
    public void Discard_ignore_acknowledges_without_touching_the_image_and_never_unmaps()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image, new BlockDeviceSettings { DiscardUnmap = false }).Start();
        BlockDriver d = s.Drivers[0];
        Assert.Equal(VirtioBlkStatus.Ok, d.RangeList(VirtioBlkRequestType.Discard, (0, 2, 0)));
        Assert.Equal(VirtioBlkStatus.Ok, d.RangeList(VirtioBlkRequestType.WriteZeroes, (8, 4, 1)));
        Assert.DoesNotContain(image.Calls, c => c.StartsWith("discard", StringComparison.Ordinal));
        Assert.Contains("write-zeroes 4096 2048", image.Calls);
        Assert.Equal(0, s.Frontend.GetConfig(VirtioBlkConfig.WriteZeroesMayUnmapOffset, 1)[0]);
    }

    [Fact]
    public void Bad_requests_fail_with_a_status_and_never_reach_outside_the_disk()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image).Start();
        BlockDriver d = s.Drivers[0];
        ulong sectors = DiskSize / 512;

        Assert.Equal(VirtioBlkStatus.IoErr, d.Read(sectors, 512).Status);
        Assert.Equal(VirtioBlkStatus.IoErr, d.Read(ulong.MaxValue, 512).Status);
        Assert.Equal(VirtioBlkStatus.IoErr, d.Read(ulong.MaxValue / 512 + 1, 1024).Status);
        Assert.Equal(VirtioBlkStatus.IoErr, d.Write(sectors - 1, new byte[1024]));
        Assert.Equal(VirtioBlkStatus.IoErr, d.Write(0, new byte[100]));
        Assert.Equal(VirtioBlkStatus.Unsupp, d.Simple((VirtioBlkRequestType)2));
        Assert.Equal(VirtioBlkStatus.IoErr, d.RangeList(VirtioBlkRequestType.WriteZeroes, (sectors - 1, 2, 0)));
        Assert.Equal(VirtioBlkStatus.Unsupp, d.RangeList(VirtioBlkRequestType.Discard, (0, 1, 1)));
        Assert.Equal(VirtioBlkStatus.IoErr, d.Submit([new byte[8]], [1]));
        Assert.Equal(VirtioBlkStatus.IoErr, d.Submit([Requests.Header(VirtioBlkRequestType.In, 0), new byte[512]], [1]));

        // No status byte at all: returned with nothing written, and the ring goes on.
        Assert.Equal(0u, d.Complete(d.Queue.AddChain([Requests.Header(VirtioBlkRequestType.Out, 0), new byte[512]], [])));
        Assert.Equal(VirtioBlkStatus.Ok, d.Read(sectors - 1, 512).Status);
        Assert.Equal(0, image.OutOfRangeCalls);
        Assert.DoesNotContain(image.Calls, c => c.StartsWith("write", StringComparison.Ordinal));
    }

    [Fact]
    public void Host_failures_become_io_errors()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image).Start();
        BlockDriver d = s.Drivers[0];
        image.FailAll = true;
        Assert.Equal(VirtioBlkStatus.IoErr, d.Write(0, new byte[512]));
        Assert.Equal(VirtioBlkStatus.IoErr, d.Read(0, 512).Status);
        Assert.Equal(VirtioBlkStatus.IoErr, d.Flush());
        image.FailAll = false;
        Assert.Equal(VirtioBlkStatus.Ok, d.Flush());
    }

    [Fact]
    public void A_hostile_chain_stops_its_ring_only()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image, new BlockDeviceSettings { NumQueues = 2 }).Start();
        BlockDriver bad = s.Drivers[0];
        bad.Queue.WriteDescriptor(0, 1UL << 40, 16, 0, 0);
        bad.Queue.PublishAvail(0);
        bad.Kick.Signal();

        Assert.Equal(VirtioBlkStatus.Ok, s.Drivers[1].Write(0, Requests.Pattern(512, 5)));
        Assert.Equal(VirtioBlkStatus.Ok, s.Drivers[1].Read(0, 512).Status);
        s.Barrier();
        long deadline = Environment.TickCount64 + 10_000;
        while (!s.Log.Any(l => l.Contains("ring stopped", StringComparison.Ordinal)) && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(5);
        }

        Assert.Contains(s.Log, l => l.Contains("blk-queue0: guest error, ring stopped", StringComparison.Ordinal));
    }

    [Fact]
    public void A_chain_the_walker_rejects_still_gets_io_error_when_its_status_byte_is_usable()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image).Start();
        BlockDriver d = s.Drivers[0];
        ulong header = d.Queue.AllocateData(Requests.Header(VirtioBlkRequestType.Out, 0));
        ulong status = d.Queue.Allocate(1);

        // A data buffer outside guest RAM.
        s.Memory.Write(status, (byte)0xFF);
        d.Queue.WriteDescriptor(0, header, 16, 1, 1);
        d.Queue.WriteDescriptor(1, 1UL << 40, 512, 1, 2);
        d.Queue.WriteDescriptor(2, status, 1, 2, 0);
        d.Queue.PublishAvail(0);
        d.Kick.Signal();
        Assert.Equal(1u, d.WaitUsed(0));
        Assert.Equal((byte)VirtioBlkStatus.IoErr, s.Memory.Read<byte>(status));

        // A device-readable buffer after a writable one, then the status.
        s.Memory.Write(status, (byte)0xFF);
        d.Queue.WriteDescriptor(0, header, 16, 1, 1);
        d.Queue.WriteDescriptor(1, header, 16, 3, 2);
        d.Queue.WriteDescriptor(2, header, 16, 1, 3);
        d.Queue.WriteDescriptor(3, status, 1, 2, 0);
        d.Queue.PublishAvail(0);
        d.Kick.Signal();
        Assert.Equal(1u, d.WaitUsed(0));
        Assert.Equal((byte)VirtioBlkStatus.IoErr, s.Memory.Read<byte>(status));

        // The ring goes on, and nothing reached the image.
        Assert.Equal(VirtioBlkStatus.Ok, d.Read(0, 512).Status);
        Assert.DoesNotContain(image.Calls, c => c.StartsWith("write", StringComparison.Ordinal));
    }

    [Fact]
    public void Queues_run_in_parallel_on_one_image()
    {
        var image = new MemoryBlockImage(DiskSize);
        using BlockSession s = new BlockSession(image, new BlockDeviceSettings { NumQueues = 4 }).Start();
        Parallel.For(0, 4, q =>
        {
            BlockDriver d = s.Drivers[q];
            for (int i = 0; i < 25; i++)
            {
                ulong sector = (ulong)((q * 100) + (i * 4));
                byte[] data = Requests.Pattern(2048, (q * 1000) + i);
                Assert.Equal(VirtioBlkStatus.Ok, d.Write(sector, data));
                Assert.Equal(data, d.Read(sector, 2048).Data);
            }
        });

        Assert.Equal(Requests.Pattern(2048, 3024), image.Snapshot().AsSpan(((3 * 100) + (24 * 4)) * 512, 2048).ToArray());
    }

    [Fact]
    public void Requests_left_in_flight_by_a_dead_back_end_run_once_after_the_reconnect()
    {
        var image = new MemoryBlockImage(DiskSize);
        SafeFd inflightFd;
        InflightDescription description;
        using (BlockSession first = new BlockSession(image).Start(inflight: true))
        {
            Assert.Equal(VirtioBlkStatus.Ok, first.Drivers[0].Write(0, Requests.Pattern(512, 1)));
            inflightFd = Fd.Duplicate(first.InflightFd ?? throw new InvalidOperationException("no in-flight fd"));
            description = first.Inflight ?? throw new InvalidOperationException("no in-flight description");
        }

        using (inflightFd)
        using (BlockSession second = new BlockSession(image))
        {
            // The guest's ring as the dead back-end left it: one request popped and logged, never returned.
            var ring = new Emulator.Virtio.MockSplitQueue(second.Memory, 0, BlockSession.QueueSize);
            ring.SetUsedIndex(1);
            ring.SetAvailIndex(1);
            byte[] lost = Requests.Pattern(1024, 2);
            Emulator.Virtio.MockChain chain = ring.AddChain([Requests.Header(VirtioBlkRequestType.Out, 4), lost], [1]);
            using (var log = InflightRegion.FromFd(Fd.Duplicate(inflightFd), description))
            {
                log.Queues[0].Begin(chain.Head);
            }

            second.Frontend.Negotiate(ulong.MaxValue, (VhostUserProtocolFeatures)ulong.MaxValue);
            second.Frontend.SetMemTable(second.Memory);
            second.Frontend.SetInflightFd(inflightFd, description);

            // QEMU can only restore used.idx as the base after a crash; the log says one more was taken.
            BlockDriver d = second.StartQueue(0, nextAvail: 1, existing: ring);
            Assert.Equal(1u, d.WaitUsed(chain.Head));
            Assert.Equal(lost, image.Snapshot().AsSpan(4 * 512, 1024).ToArray());
            Assert.Equal(1, image.Calls.Count(c => c == "write 2048 1024"));
            Assert.Equal(VirtioBlkStatus.Ok, d.Flush());
            Assert.Equal(3, second.Frontend.GetVringBase(0));
        }
    }
}
