using Emulator.Virtio;

namespace Emulator.VirtioBlock.Tests;

public sealed class BlockRequestParserTests
{
    private static readonly BlockLimits Limits = new()
    {
        CapacitySectors = 1024,
        SegMax = 4,
        DiscardEnabled = true,
        WriteZeroesEnabled = true,
    };

    private static Descriptor[] Chain(params (uint Length, bool Writable)[] buffers)
    {
        ulong address = 0x10000;
        var result = new Descriptor[buffers.Length];
        for (int i = 0; i < buffers.Length; i++)
        {
            result[i] = new Descriptor(address, buffers[i].Length, buffers[i].Writable);
            address += buffers[i].Length;
        }

        return result;
    }

    private static BlockRequest Parse(VirtioBlkRequestType type, ulong sector, Descriptor[] chain, BlockLimits? limits = null) =>
        BlockRequestParser.Parse(Requests.Header(type, sector), chain, limits ?? Limits);

    [Fact]
    public void Read_takes_its_data_from_the_writable_buffers_before_the_status()
    {
        BlockRequest r = Parse(VirtioBlkRequestType.In, 10, Chain((16, false), (4096, true), (1, true)));
        Assert.True(r.IsValid, r.Error);
        Assert.Equal(4096UL, r.DataLength);
        Assert.Equal(10UL, r.Sector);
        Assert.True(r.DataIsWritable);
    }

    [Fact]
    public void Header_data_and_status_may_share_buffers()
    {
        // VERSION_1 implies ANY_LAYOUT: header and data in one readable buffer, data and status in one writable one.
        BlockRequest write = Parse(VirtioBlkRequestType.Out, 0, Chain((16 + 1024, false), (1, true)));
        Assert.True(write.IsValid, write.Error);
        Assert.Equal(1024UL, write.DataLength);

        BlockRequest read = Parse(VirtioBlkRequestType.In, 0, Chain((8, false), (8, false), (512 + 1, true)));
        Assert.True(read.IsValid, read.Error);
        Assert.Equal(512UL, read.DataLength);
    }

    [Fact]
    public void A_chain_without_a_writable_last_byte_has_no_status_to_report()
    {
        BlockRequest r = Parse(VirtioBlkRequestType.Out, 0, Chain((16 + 512, false)));
        Assert.False(r.HasStatus);
        Assert.False(r.IsValid);
        Assert.False(BlockRequestParser.Parse([], [], Limits).HasStatus);
    }

    [Fact]
    public void A_short_header_is_an_io_error()
    {
        Descriptor[] chain = Chain((8, false), (1, true));
        BlockRequest r = BlockRequestParser.Parse(new byte[8], chain, Limits);
        Assert.Equal(VirtioBlkStatus.IoErr, r.Status);
        Assert.True(r.HasStatus);
    }

    [Fact]
    public void A_readable_buffer_after_a_writable_one_is_an_io_error()
    {
        BlockRequest r = Parse(VirtioBlkRequestType.In, 0, Chain((16, false), (512, true), (16, false), (1, true)));
        Assert.Equal(VirtioBlkStatus.IoErr, r.Status);
    }

    [Theory]
    [InlineData(VirtioBlkRequestType.In, 16 + 512, 1)]
    [InlineData(VirtioBlkRequestType.Out, 16, 512 + 1)]
    [InlineData(VirtioBlkRequestType.Flush, 16 + 512, 1)]
    [InlineData(VirtioBlkRequestType.Flush, 16, 2)]
    [InlineData(VirtioBlkRequestType.GetId, 17, 21)]
    [InlineData(VirtioBlkRequestType.Discard, 32, 2)]
    public void Data_in_the_wrong_direction_is_an_io_error(VirtioBlkRequestType type, uint readable, uint writable)
    {
        Assert.Equal(VirtioBlkStatus.IoErr, Parse(type, 0, Chain((readable, false), (writable, true))).Status);
    }

    [Theory]
    [InlineData(VirtioBlkRequestType.In, 513u)]
    [InlineData(VirtioBlkRequestType.Out, 100u)]
    public void Transfers_must_be_whole_sectors(VirtioBlkRequestType type, uint length)
    {
        Descriptor[] chain = type == VirtioBlkRequestType.In ? Chain((16, false), (length, true), (1, true)) : Chain((16, false), (length, false), (1, true));
        Assert.Equal(VirtioBlkStatus.IoErr, Parse(type, 0, chain).Status);
    }

    [Theory]
    [InlineData(1023UL, true)]
    [InlineData(1024UL, false)]
    [InlineData(ulong.MaxValue, false)]
    [InlineData(ulong.MaxValue / 512, false)]
    public void Ranges_must_end_inside_the_disk(ulong sector, bool ok)
    {
        BlockRequest r = Parse(VirtioBlkRequestType.In, sector, Chain((16, false), (512, true), (1, true)));
        Assert.Equal(ok ? VirtioBlkStatus.Ok : VirtioBlkStatus.IoErr, r.Status);
    }

    [Fact]
    public void A_zero_length_transfer_at_the_end_of_the_disk_is_fine_but_not_past_it()
    {
        Assert.True(Parse(VirtioBlkRequestType.Out, 1024, Chain((16, false), (1, true))).IsValid);
        Assert.Equal(VirtioBlkStatus.IoErr, Parse(VirtioBlkRequestType.Out, 1025, Chain((16, false), (1, true))).Status);
    }

    [Fact]
    public void More_data_buffers_than_seg_max_is_an_io_error()
    {
        Assert.True(Parse(VirtioBlkRequestType.In, 0, Chain((16, false), (512, true), (512, true), (512, true), (512, true), (1, true))).IsValid);
        BlockRequest r = Parse(VirtioBlkRequestType.In, 0, Chain((16, false), (512, true), (512, true), (512, true), (512, true), (512, true), (1, true)));
        Assert.Equal(VirtioBlkStatus.IoErr, r.Status);
    }

    [Fact]
    public void Writes_discards_and_write_zeroes_fail_on_a_read_only_disk_but_reads_and_flushes_do_not()
    {
        BlockLimits ro = Limits with { ReadOnly = true };
        Assert.Equal(VirtioBlkStatus.IoErr, Parse(VirtioBlkRequestType.Out, 0, Chain((16 + 512, false), (1, true)), ro).Status);
        Assert.Equal(VirtioBlkStatus.IoErr, Parse(VirtioBlkRequestType.Discard, 0, Chain((32, false), (1, true)), ro).Status);
        Assert.Equal(VirtioBlkStatus.IoErr, Parse(VirtioBlkRequestType.WriteZeroes, 0, Chain((32, false), (1, true)), ro).Status);
        Assert.True(Parse(VirtioBlkRequestType.In, 0, Chain((16, false), (513, true)), ro).IsValid);
        Assert.True(Parse(VirtioBlkRequestType.Flush, 0, Chain((16, false), (1, true)), ro).IsValid);
    }

    [Theory]
    [InlineData(2u)]
    [InlineData(3u)]
    [InlineData(0x80000001u)]
    [InlineData(uint.MaxValue)]
    public void Unknown_types_are_unsupported(uint type)
    {
        BlockRequest r = BlockRequestParser.Parse(Requests.Header(type, 0), Chain((16, false), (1, true)), Limits);
        Assert.Equal(VirtioBlkStatus.Unsupp, r.Status);
        Assert.True(r.HasStatus);
    }

    [Fact]
    public void Discard_and_write_zeroes_are_unsupported_unless_negotiated()
    {
        BlockLimits none = Limits with { DiscardEnabled = false, WriteZeroesEnabled = false };
        Assert.Equal(VirtioBlkStatus.Unsupp, Parse(VirtioBlkRequestType.Discard, 0, Chain((32, false), (1, true)), none).Status);
        Assert.Equal(VirtioBlkStatus.Unsupp, Parse(VirtioBlkRequestType.WriteZeroes, 0, Chain((32, false), (1, true)), none).Status);
    }

    [Theory]
    [InlineData(16u, false)]
    [InlineData(16u + 15, false)]
    [InlineData(16u + 16, true)]
    [InlineData(16u + (32 * 16), true)]
    [InlineData(16u + (33 * 16), false)]
    public void Segment_lists_must_be_whole_segments_within_the_advertised_count(uint readable, bool ok)
    {
        BlockRequest r = Parse(VirtioBlkRequestType.WriteZeroes, 0, Chain((readable, false), (1, true)));
        Assert.Equal(ok ? VirtioBlkStatus.Ok : VirtioBlkStatus.IoErr, r.Status);
        if (ok)
        {
            Assert.Equal(readable - 16UL, r.DataLength);
        }
    }

    [Fact]
    public void Get_id_answers_at_most_twenty_bytes()
    {
        Assert.Equal(20UL, Parse(VirtioBlkRequestType.GetId, 0, Chain((16, false), (64, true))).DataLength);
        Assert.Equal(7UL, Parse(VirtioBlkRequestType.GetId, 0, Chain((16, false), (8, true))).DataLength);
    }

    [Fact]
    public void Segments_are_checked_for_flags_length_and_range()
    {
        var segments = new BlockSegment[4];
        Assert.Equal(VirtioBlkStatus.Ok, BlockRequestParser.ParseSegments(
            VirtioBlkRequestType.WriteZeroes, Requests.Segments((0, 8, 1), (1016, 8, 0)), Limits, segments, out _));
        Assert.Equal(new BlockSegment(0, 8, true), segments[0]);
        Assert.Equal(new BlockSegment(1016, 8, false), segments[1]);

        Assert.Equal(VirtioBlkStatus.Unsupp, BlockRequestParser.ParseSegments(
            VirtioBlkRequestType.Discard, Requests.Segments((0, 8, 1)), Limits, segments, out _));
        Assert.Equal(VirtioBlkStatus.Unsupp, BlockRequestParser.ParseSegments(
            VirtioBlkRequestType.WriteZeroes, Requests.Segments((0, 8, 2)), Limits, segments, out _));
        Assert.Equal(VirtioBlkStatus.IoErr, BlockRequestParser.ParseSegments(
            VirtioBlkRequestType.Discard, Requests.Segments((0, 8, 0), (1020, 8, 0)), Limits, segments, out string? error));
        Assert.Contains("outside", error, StringComparison.Ordinal);
        Assert.Equal(VirtioBlkStatus.IoErr, BlockRequestParser.ParseSegments(
            VirtioBlkRequestType.Discard, Requests.Segments((ulong.MaxValue, 8, 0)), Limits, segments, out _));
        Assert.Equal(VirtioBlkStatus.IoErr, BlockRequestParser.ParseSegments(
            VirtioBlkRequestType.Discard, Requests.Segments((0, 8, 0)), Limits with { MaxDiscardSectors = 4 }, segments, out _));
        Assert.Equal(VirtioBlkStatus.IoErr, BlockRequestParser.ParseSegments(
            VirtioBlkRequestType.Discard, new byte[20], Limits, segments, out _));
    }
}
