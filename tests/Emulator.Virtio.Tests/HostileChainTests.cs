using Emulator.Memory;

namespace Emulator.Virtio.Tests;

/// <summary>Direct chains a hostile driver can build: each must fail with a clear VirtqueueException.</summary>
public sealed class HostileChainTests : IDisposable
{
    private const ushort Next = DescriptorFlags.Next;
    private const ushort Write = DescriptorFlags.Write;

    private readonly GuestMemory _mem = GuestMemory.Create((0, 1 << 20));
    private readonly MockSplitQueue _driver;
    private readonly SplitQueue _device;

    public HostileChainTests()
    {
        _driver = new MockSplitQueue(_mem, 0, 8);
        _device = _driver.CreateDeviceQueue(false);
    }

    public void Dispose() => _mem.Dispose();

    [Fact]
    public void A_self_loop_is_stopped_by_the_hop_limit()
    {
        _driver.WriteDescriptor(3, 0x8000, 16, Next, 3);
        _driver.PublishAvail(3);
        Assert.Contains("longer than the queue size 8", PopFails());
    }

    [Fact]
    public void A_longer_loop_is_stopped_by_the_hop_limit()
    {
        _driver.WriteDescriptor(0, 0x8000, 16, Next, 1);
        _driver.WriteDescriptor(1, 0x8000, 16, Next, 2);
        _driver.WriteDescriptor(2, 0x8000, 16, Next, 0);
        _driver.PublishAvail(1);
        Assert.Contains("a loop", PopFails());
    }

    [Fact]
    public void A_chain_using_every_descriptor_once_is_accepted()
    {
        for (ushort i = 0; i < 8; i++)
        {
            _driver.WriteDescriptor(i, 0x8000 + (i * 16UL), 16, i == 7 ? (ushort)0 : Next, (ushort)(i + 1));
        }

        _driver.PublishAvail(0);
        Assert.True(_device.TryPop(out DescriptorChain? chain));
        Assert.Equal(8, chain.Descriptors.Count);
    }

    [Fact]
    public void Next_past_the_queue_size_is_rejected()
    {
        _driver.WriteDescriptor(0, 0x8000, 16, Next, 8);
        _driver.PublishAvail(0);
        Assert.Contains("links to descriptor 8", PopFails());
    }

    [Theory]
    [InlineData((ushort)8)]
    [InlineData(ushort.MaxValue)]
    public void A_head_past_the_queue_size_is_rejected(ushort head)
    {
        _driver.PublishAvail(head);
        Assert.Contains($"head descriptor {head}", PopFails());
    }

    [Theory]
    [InlineData((ushort)9)]
    [InlineData((ushort)100)]
    [InlineData(ushort.MaxValue)]
    public void An_avail_index_more_than_the_queue_size_ahead_is_a_broken_ring(ushort availIdx)
    {
        _driver.SetAvailIndex(availIdx);
        Assert.Contains("queue holds only 8", PopFails());
        Assert.Equal(0, _device.NextAvail);
        Assert.Contains("queue holds only 8", PopFails());
    }

    [Fact]
    public void An_avail_index_exactly_the_queue_size_ahead_is_a_full_ring()
    {
        for (ushort i = 0; i < 8; i++)
        {
            _driver.WriteDescriptor(i, 0x8000, 1, 0, 0);
            _driver.PublishAvail(i);
        }

        for (int i = 0; i < 8; i++)
        {
            Assert.True(_device.TryPop(out _));
        }

        Assert.False(_device.TryPop(out _));
    }

    [Theory]
    [InlineData(ulong.MaxValue, 1u)]
    [InlineData(ulong.MaxValue - 15, 16u)]
    [InlineData(ulong.MaxValue - 7, 16u)]
    [InlineData(0xFFFF_FFFF_0000_0000UL, 0xFFFF_FFFFu)]
    public void Buffers_whose_addresses_overflow_are_rejected(ulong address, uint length)
    {
        _driver.WriteDescriptor(0, address, length, 0, 0);
        _driver.PublishAvail(0);
        Assert.Contains("not in guest RAM", PopFails());
    }

    [Theory]
    [InlineData((1UL << 20) - 4, 8u)]
    [InlineData(1UL << 20, 1u)]
    [InlineData(0UL, (1u << 20) + 1)]
    [InlineData(0x4000_0000UL, 16u)]
    public void Buffers_past_ram_are_rejected(ulong address, uint length)
    {
        _driver.WriteDescriptor(0, 0x8000, 4, Next, 1);
        _driver.WriteDescriptor(1, address, length, Write, 0);
        _driver.PublishAvail(0);
        Assert.Contains("not in guest RAM", PopFails());
    }

    [Fact]
    public void A_buffer_covering_all_of_ram_is_accepted()
    {
        _driver.WriteDescriptor(0, 0, 1 << 20, Write, 0);
        _driver.PublishAvail(0);
        Assert.True(_device.TryPop(out DescriptorChain? chain));
        Assert.Equal(1u << 20, chain.WritableLength);
    }

    [Fact]
    public void Zero_length_buffers_are_rejected()
    {
        _driver.WriteDescriptor(0, 0x8000, 4, Next, 1);
        _driver.WriteDescriptor(1, 0x9000, 0, Write, 0);
        _driver.PublishAvail(0);
        Assert.Contains("zero length", PopFails());
    }

    [Fact]
    public void A_readable_buffer_after_a_writable_one_is_rejected()
    {
        _driver.WriteDescriptor(0, 0x8000, 4, Next, 1);
        _driver.WriteDescriptor(1, 0x9000, 4, Write | Next, 2);
        _driver.WriteDescriptor(2, 0xA000, 4, 0, 0);
        _driver.PublishAvail(0);
        Assert.Contains("follows a device-writable one", PopFails());
    }

    [Fact]
    public void A_bad_chain_is_consumed_so_the_next_one_still_pops()
    {
        _driver.WriteDescriptor(0, 0x8000, 0, 0, 0);
        _driver.PublishAvail(0);
        _driver.WriteDescriptor(1, 0x8000, 4, 0, 0);
        _driver.PublishAvail(1);
        PopFails();
        Assert.Equal(1, _device.NextAvail);
        Assert.True(_device.TryPop(out DescriptorChain? chain));
        Assert.Equal(1, chain.HeadIndex);
    }

    [Fact]
    public void The_chain_is_a_copy_so_rewriting_descriptors_after_the_pop_changes_nothing()
    {
        _driver.WriteDescriptor(0, 0x8000, 4, Next, 1);
        _driver.WriteDescriptor(1, 0x9000, 8, Write, 0);
        _driver.PublishAvail(0);
        Assert.True(_device.TryPop(out DescriptorChain? chain));

        _driver.WriteDescriptor(0, ulong.MaxValue, uint.MaxValue, Next, 0);
        _driver.WriteDescriptor(1, 0xFFFF_0000, uint.MaxValue, Write | Next, 1);
        Assert.Equal([new Descriptor(0x8000, 4, false), new Descriptor(0x9000, 8, true)], chain.Descriptors);
        chain.Writer.Write(new byte[8]);
        Assert.Throws<VirtqueueException>(() => chain.Writer.Write(new byte[1]));
    }

    [Fact]
    public void Buffers_straddling_adjacent_regions_are_accepted_and_copied_across()
    {
        using GuestMemory two = GuestMemory.Create((0, 0x10000), (0x10000, 0x10000));
        var driver = new MockSplitQueue(two, 0, 4);
        SplitQueue device = driver.CreateDeviceQueue(false);
        byte[] payload = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
        two.Write(0xFFF0, payload);
        driver.WriteDescriptor(0, 0xFFF0, 32, Next, 1);
        driver.WriteDescriptor(1, 0xFFF8, 16, Write, 0);
        driver.PublishAvail(0);

        Assert.True(device.TryPop(out DescriptorChain? chain));
        byte[] read = new byte[32];
        chain.Reader.ReadExactly(read);
        Assert.Equal(payload, read);
        chain.Writer.Write(Enumerable.Repeat((byte)0xAB, 16).ToArray());
        byte[] written = new byte[16];
        two.Read(0xFFF8, written);
        Assert.Equal(Enumerable.Repeat((byte)0xAB, 16), written);
    }

    private string PopFails() => Assert.Throws<VirtqueueException>(() => _device.TryPop(out _)).Message;
}
