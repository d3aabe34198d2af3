using Emulator.Memory;

namespace Emulator.Virtio.Tests;

/// <summary>
/// <see cref="SplitQueue.ReadChain"/>: re-walking a chain by its head, as a back-end does for chains an
/// in-flight log says were popped and never returned. Same checks as a pop; no avail-side effects.
/// </summary>
public sealed class ReadChainTests : IDisposable
{
    private readonly GuestMemory _mem = GuestMemory.Create((0, 1 << 20));
    private readonly MockSplitQueue _driver;

    public ReadChainTests()
    {
        _driver = new MockSplitQueue(_mem, 0, 8);
    }

    public void Dispose() => _mem.Dispose();

    private static byte[] ReadBytes(DescriptorChainReader reader, int count)
    {
        byte[] bytes = new byte[count];
        reader.ReadExactly(bytes);
        return bytes;
    }

    [Fact]
    public void A_popped_chain_reads_again_with_the_same_buffers_and_bytes()
    {
        SplitQueue device = _driver.CreateDeviceQueue(eventIdx: false);
        MockChain sent = _driver.AddChain([[1, 2, 3], [4, 5]], [16]);
        Assert.True(device.TryPop(out DescriptorChain? popped));
        Assert.Equal([1, 2, 3, 4], ReadBytes(popped.Reader, 4));

        DescriptorChain again = device.ReadChain(sent.Head);
        Assert.Equal(sent.Head, again.HeadIndex);
        Assert.Equal(popped.Descriptors, again.Descriptors);
        Assert.Equal(5u, again.ReadableLength);
        Assert.Equal(16u, again.WritableLength);
        Assert.Equal([1, 2, 3, 4, 5], ReadBytes(again.Reader, 5));
        Assert.Equal(1, device.NextAvail);
    }

    [Fact]
    public void Reading_a_chain_leaves_the_avail_ring_and_event_alone()
    {
        SplitQueue device = _driver.CreateDeviceQueue(eventIdx: true);
        MockChain sent = _driver.AddChain([[9]], []);
        ushort availEvent = _driver.AvailEvent;

        Assert.Equal([9], ReadBytes(device.ReadChain(sent.Head).Reader, 1));
        Assert.Equal(0, device.NextAvail);
        Assert.Equal(availEvent, _driver.AvailEvent);
        Assert.True(device.HasAvailable);
        Assert.True(device.TryPop(out DescriptorChain? chain));
        Assert.Equal(sent.Head, chain.HeadIndex);
    }

    [Fact]
    public void An_indirect_chain_reads_again_flattened()
    {
        SplitQueue device = _driver.CreateDeviceQueue(eventIdx: false);
        MockChain sent = _driver.AddIndirectChain([[7, 7], [8]], [4]);
        DescriptorChain chain = device.ReadChain(sent.Head);
        Assert.Equal(sent.Readable.Concat(sent.Writable), chain.Descriptors);
        chain.Writer.WriteObject(0xdeadbeefu);
        device.AddUsed(chain.HeadIndex, chain.Writer.BytesWritten);
        Assert.True(_driver.TryGetUsed(out ushort id, out uint length));
        Assert.Equal((sent.Head, 4u), (id, length));
        Assert.Equal(BitConverter.GetBytes(0xdeadbeefu), _driver.ReadWritten(sent, 4));
    }

    [Theory]
    [InlineData((ushort)8)]
    [InlineData(ushort.MaxValue)]
    public void A_head_past_the_queue_size_is_rejected(ushort head)
    {
        SplitQueue device = _driver.CreateDeviceQueue(eventIdx: false);
        VirtqueueException e = Assert.Throws<VirtqueueException>(() => device.ReadChain(head));
        Assert.Contains($"head descriptor {head} is past the queue size 8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loop_is_stopped_by_the_hop_limit_as_in_a_pop()
    {
        SplitQueue device = _driver.CreateDeviceQueue(eventIdx: false);
        _driver.WriteDescriptor(2, 0x8000, 16, DescriptorFlags.Next, 5);
        _driver.WriteDescriptor(5, 0x8000, 16, DescriptorFlags.Next, 2);
        VirtqueueException e = Assert.Throws<VirtqueueException>(() => device.ReadChain(2));
        Assert.Contains("a loop", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_buffer_outside_ram_is_rejected_as_in_a_pop()
    {
        SplitQueue device = _driver.CreateDeviceQueue(eventIdx: false);
        _driver.WriteDescriptor(1, 0xffff_0000_0000, 16, 0, 0);
        VirtqueueException e = Assert.Throws<VirtqueueException>(() => device.ReadChain(1));
        Assert.Contains("is not in guest RAM", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Descriptors_rewritten_since_the_pop_are_what_a_re_read_sees()
    {
        SplitQueue device = _driver.CreateDeviceQueue(eventIdx: false);
        MockChain sent = _driver.AddChain([[1]], []);
        Assert.True(device.TryPop(out _));
        _driver.WriteDescriptor(sent.Head, 0x9000, 32, DescriptorFlags.Write, 0);
        DescriptorChain chain = device.ReadChain(sent.Head);
        Assert.Equal([new Descriptor(0x9000, 32, true)], chain.Descriptors);
    }
}
