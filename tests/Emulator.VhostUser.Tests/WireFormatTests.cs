using System.Buffers.Binary;

namespace Emulator.VhostUser.Tests;

/// <summary>Every payload type round-trips, and the byte layout is the one vhost-user.rst fixes.</summary>
public sealed class WireFormatTests
{
    [Fact]
    public void Header_is_twelve_little_endian_bytes()
    {
        var h = new VhostUserHeader(0x01020304, VhostUserFlags.Version1 | VhostUserFlags.NeedReply, 0x0A0B0C0D);
        byte[] bytes = new byte[12];
        h.Write(bytes);
        Assert.Equal(new byte[] { 4, 3, 2, 1, 9, 0, 0, 0, 0x0D, 0x0C, 0x0B, 0x0A }, bytes);
        Assert.Equal(h, VhostUserHeader.Parse(bytes));
        Assert.True(h.NeedsReply);
        Assert.False(h.IsReply);
        Assert.Equal(1u, h.Version);
    }

    [Fact]
    public void Vring_address_orders_desc_used_avail_log()
    {
        var a = new VringAddress(3, 0, 0x1111, 0x2222, 0x3333, 0x4444);
        byte[] bytes = a.ToArray();
        Assert.Equal(40, bytes.Length);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(0x1111UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(0x2222UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(0x3333UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(0x4444UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(32)));
        Assert.Equal(a, VringAddress.Parse(bytes));
    }

    [Fact]
    public void Vring_state_round_trips()
    {
        var s = new VringState(7, 0xFFFF);
        Assert.Equal(s, VringState.Parse(s.ToArray()));
    }

    [Fact]
    public void Memory_table_round_trips_with_its_padding()
    {
        var t = new MemoryTable([new MemoryRegionDescription(1, 2, 3, 4), new MemoryRegionDescription(5, 6, 7, 8)]);
        byte[] bytes = t.ToArray();
        Assert.Equal(8 + 64, bytes.Length);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(t.Regions, MemoryTable.Parse(bytes).Regions);
    }

    [Fact]
    public void Single_memory_region_has_eight_bytes_of_padding_first()
    {
        var r = new MemoryRegionDescription(0x10, 0x20, 0x30, 0x40);
        byte[] bytes = SingleMemoryRegion.ToArray(r);
        Assert.Equal(40, bytes.Length);
        Assert.Equal(0x10UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(r, SingleMemoryRegion.Parse(bytes));
    }

    [Fact]
    public void Config_round_trips_with_its_data()
    {
        var c = new ConfigPayload(4, ConfigPayload.FlagMigration, [1, 2, 3]);
        ConfigPayload back = ConfigPayload.Parse(c.ToArray());
        Assert.Equal((4u, 1u), (back.Offset, back.Flags));
        Assert.Equal(new byte[] { 1, 2, 3 }, back.Data);
    }

    [Fact]
    public void Inflight_description_is_twenty_four_bytes()
    {
        var d = new InflightDescription(0x1000, 0x40, 2, 128);
        byte[] bytes = d.ToArray();
        Assert.Equal(24, bytes.Length);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(128, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(18)));
        Assert.Equal(d, InflightDescription.Parse(bytes));
    }

    [Fact]
    public void Vring_fd_request_packs_index_and_no_fd_bit()
    {
        Assert.Equal(0x105UL, new VringFdRequest(5, true).Value);
        Assert.Equal(new VringFdRequest(5, true), VringFdRequest.FromValue(0x105));
        Assert.Throws<VhostUserProtocolException>(() => VringFdRequest.FromValue(0x205));
    }

    [Fact]
    public void Parsers_refuse_a_wrong_length()
    {
        Assert.Throws<VhostUserProtocolException>(() => VringState.Parse(new byte[7]));
        Assert.Throws<VhostUserProtocolException>(() => VringAddress.Parse(new byte[41]));
        Assert.Throws<VhostUserProtocolException>(() => U64Payload.Parse(new byte[4]));
        Assert.Throws<VhostUserProtocolException>(() => MemoryTable.Parse(new byte[8 + 31]));
        Assert.Throws<VhostUserProtocolException>(() => InflightDescription.Parse(new byte[20]));
    }

    [Fact]
    public void Inflight_queue_regions_are_sixty_four_byte_aligned()
    {
        // 16-byte header + 16 bytes per entry, rounded up to 64.
        Assert.Equal(4160UL, InflightLayout.QueueRegionSize(256));
        Assert.Equal(64UL, InflightLayout.QueueRegionSize(3));
        Assert.Equal(128UL, InflightLayout.QueueRegionSize(4));
        Assert.Equal(3 * InflightLayout.QueueRegionSize(128), InflightLayout.TotalSize(3, 128));
    }
}
