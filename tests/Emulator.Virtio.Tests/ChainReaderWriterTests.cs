using Emulator.Memory;

namespace Emulator.Virtio.Tests;

public sealed class ChainReaderWriterTests : IDisposable
{
    private readonly GuestMemory _mem = GuestMemory.Create((0, 1 << 20));
    private readonly MockSplitQueue _driver;
    private readonly SplitQueue _device;

    public ChainReaderWriterTests()
    {
        _driver = new MockSplitQueue(_mem, 0, 16);
        _device = _driver.CreateDeviceQueue(false);
    }

    public void Dispose() => _mem.Dispose();

    [Fact]
    public void The_reader_streams_across_buffers_and_reads_structures()
    {
        byte[] header = new byte[16];
        BitConverter.TryWriteBytes(header.AsSpan(0), 1u);
        BitConverter.TryWriteBytes(header.AsSpan(8), 0x1122334455667788UL);
        DescriptorChain chain = Pop(_driver.AddChain([header[..5], header[5..], [9, 8, 7]], [1]));
        DescriptorChainReader reader = chain.Reader;
        Assert.Same(reader, chain.Reader);
        Assert.Equal(19UL, reader.Remaining);

        BlockHeader h = reader.ReadObject<BlockHeader>();
        Assert.Equal(1u, h.Type);
        Assert.Equal(0x1122334455667788UL, h.Sector);
        Assert.Equal(16u, reader.BytesRead);

        byte[] rest = new byte[10];
        Assert.Equal(3, reader.Read(rest));
        Assert.Equal([9, 8, 7], rest[..3]);
        Assert.Equal(0, reader.Read(rest));
        Assert.Equal(0UL, reader.Remaining);
    }

    [Fact]
    public void ReadExactly_and_Skip_past_the_end_throw_and_consume_nothing()
    {
        DescriptorChain chain = Pop(_driver.AddChain([[1, 2, 3], [4]], []));
        DescriptorChainReader reader = chain.Reader;
        Assert.Throws<VirtqueueException>(() => reader.ReadExactly(new byte[5]));
        Assert.Throws<VirtqueueException>(() => reader.Skip(5));
        Assert.Throws<VirtqueueException>(() => reader.ReadObject<ulong>());
        Assert.Equal(4UL, reader.Remaining);

        reader.Skip(2);
        Assert.Equal(3, reader.ReadObject<byte>());
        reader.Skip(1UL);
        Assert.Equal(4u, reader.BytesRead);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Skip(-1));
    }

    [Fact]
    public void The_writer_streams_across_buffers_and_reports_bytes_written()
    {
        MockChain sent = _driver.AddChain([[0]], [3, 5]);
        DescriptorChain chain = Pop(sent);
        DescriptorChainWriter writer = chain.Writer;
        Assert.Same(writer, chain.Writer);
        writer.Write([1, 2]);
        writer.WriteObject(0x06050403u);
        Assert.Equal(6u, writer.BytesWritten);
        Assert.Equal(2UL, writer.Remaining);
        Assert.Equal([1, 2, 3, 4, 5, 6, 0, 0], _driver.ReadWritten(sent, 8));
    }

    [Fact]
    public void A_write_that_does_not_fit_throws_and_writes_nothing()
    {
        MockChain sent = _driver.AddChain([], [2, 2]);
        DescriptorChainWriter writer = Pop(sent).Writer;
        writer.Write([9]);
        VirtqueueException e = Assert.Throws<VirtqueueException>(() => writer.Write([1, 1, 1, 1]));
        Assert.Contains("does not fit", e.Message);
        Assert.Equal([9, 0, 0, 0], _driver.ReadWritten(sent, 4));
        Assert.Equal(1u, writer.BytesWritten);
        Assert.Throws<VirtqueueException>(() => writer.WriteObject(0UL));
    }

    [Fact]
    public void SplitAtEnd_gives_the_status_byte_its_own_writer()
    {
        MockChain sent = _driver.AddChain([[0, 0, 0, 0]], [512, 1]);
        DescriptorChain chain = Pop(sent);
        DescriptorChainWriter status = chain.Writer.SplitAtEnd(1);
        Assert.Equal(512UL, chain.Writer.Remaining);
        Assert.Equal(1UL, status.Remaining);

        chain.Writer.Write(Enumerable.Repeat((byte)0xCC, 512).ToArray());
        Assert.Throws<VirtqueueException>(() => chain.Writer.Write([1]));
        status.WriteObject((byte)0);
        Assert.Equal(513u, chain.Writer.BytesWritten + status.BytesWritten);

        byte[] all = _driver.ReadWritten(sent, 513);
        Assert.All(all[..512], b => Assert.Equal(0xCC, b));
        Assert.Equal(0, all[512]);
    }

    [Fact]
    public void SplitAtEnd_cuts_inside_a_buffer_after_partial_writes_and_can_be_repeated()
    {
        MockChain sent = _driver.AddChain([], [4, 6]);
        DescriptorChainWriter writer = Pop(sent).Writer;
        writer.Write([1, 2]);
        DescriptorChainWriter tail = writer.SplitAtEnd(7);
        Assert.Equal(1UL, writer.Remaining);
        DescriptorChainWriter last = tail.SplitAtEnd(2);
        Assert.Equal(5UL, tail.Remaining);

        writer.Write([3]);
        tail.Write([4, 5, 6, 7, 8]);
        last.Write([9, 10]);
        Assert.Throws<VirtqueueException>(() => writer.Write([0]));
        Assert.Throws<VirtqueueException>(() => tail.Write([0]));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], _driver.ReadWritten(sent, 10));
    }

    [Fact]
    public void SplitAtEnd_larger_than_what_remains_throws()
    {
        DescriptorChainWriter writer = Pop(_driver.AddChain([[1]], [4])).Writer;
        writer.Write([1]);
        Assert.Throws<VirtqueueException>(() => writer.SplitAtEnd(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.SplitAtEnd(-1));
        Assert.Equal(0UL, writer.SplitAtEnd(0).Remaining);
        Assert.Equal(3UL, writer.Remaining);
    }

    [Fact]
    public void A_chain_with_only_readable_buffers_has_an_empty_writer_and_vice_versa()
    {
        DescriptorChain readOnly = Pop(_driver.AddChain([[1]], []));
        Assert.Equal(0UL, readOnly.Writer.Remaining);
        Assert.Throws<VirtqueueException>(() => readOnly.Writer.Write([1]));
        readOnly.Writer.Write([]);

        DescriptorChain writeOnly = Pop(_driver.AddChain([], [1]));
        Assert.Equal(0UL, writeOnly.Reader.Remaining);
        Assert.Equal(0, writeOnly.Reader.Read(new byte[4]));
    }

    private DescriptorChain Pop(MockChain sent)
    {
        Assert.True(_device.TryPop(out DescriptorChain? chain));
        Assert.Equal(sent.Head, chain.HeadIndex);
        return chain;
    }
}
