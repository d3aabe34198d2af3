using Emulator.Memory;

namespace Emulator.Virtio.Tests;

public sealed class IndirectChainTests : IDisposable
{
    private const ushort Next = DescriptorFlags.Next;
    private const ushort Write = DescriptorFlags.Write;
    private const ushort Indirect = DescriptorFlags.Indirect;
    private const ulong Table = 0x40000;

    private readonly GuestMemory _mem = GuestMemory.Create((0, 1 << 20));
    private readonly MockSplitQueue _driver;
    private readonly SplitQueue _device;

    public IndirectChainTests()
    {
        _driver = new MockSplitQueue(_mem, 0, 8);
        _device = _driver.CreateDeviceQueue(false);
    }

    public void Dispose() => _mem.Dispose();

    [Fact]
    public void An_indirect_chain_is_flattened_into_its_buffers()
    {
        MockChain sent = _driver.AddIndirectChain([[1, 2], [3]], [8]);
        Assert.True(_device.TryPop(out DescriptorChain? chain));
        Assert.Equal(sent.Head, chain.HeadIndex);
        Assert.Equal(sent.Readable.Concat(sent.Writable), chain.Descriptors);
        byte[] data = new byte[3];
        chain.Reader.ReadExactly(data);
        Assert.Equal([1, 2, 3], data);
    }

    [Fact]
    public void Direct_descriptors_may_precede_the_indirect_one_and_its_write_flag_is_ignored()
    {
        WriteEntry(0, 0x9000, 4, Write | Next, 1);
        WriteEntry(1, 0x9100, 4, Write, 0);
        _driver.WriteDescriptor(0, 0x8000, 4, Next, 5);
        _driver.WriteDescriptor(5, Table, 32, Indirect | Write, 0);
        _driver.PublishAvail(0);
        Assert.True(_device.TryPop(out DescriptorChain? chain));
        Assert.Equal([new Descriptor(0x8000, 4, false), new Descriptor(0x9000, 4, true), new Descriptor(0x9100, 4, true)], chain.Descriptors);
    }

    [Fact]
    public void A_readable_indirect_buffer_after_a_direct_writable_one_is_rejected()
    {
        WriteEntry(0, 0x9000, 4, 0, 0);
        _driver.WriteDescriptor(0, 0x8000, 4, Write | Next, 1);
        _driver.WriteDescriptor(1, Table, 16, Indirect, 0);
        _driver.PublishAvail(0);
        Assert.Contains("follows a device-writable one", PopFails());
    }

    [Fact]
    public void A_nested_indirect_table_is_rejected()
    {
        WriteEntry(0, 0x9000, 4, Next, 1);
        WriteEntry(1, Table + 0x100, 16, Indirect, 0);
        Publish(Table, 32);
        Assert.Contains("nesting", PopFails());
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(8u)]
    [InlineData(17u)]
    [InlineData(0xFFFF_FFF1u)]
    public void Indirect_table_lengths_that_are_not_a_non_zero_multiple_of_16_are_rejected(uint length)
    {
        Publish(Table, length);
        Assert.Contains("not a non-zero multiple of 16", PopFails());
    }

    [Theory]
    [InlineData((1UL << 20) - 16, 32u)]
    [InlineData(ulong.MaxValue - 15, 16u)]
    [InlineData(0x4000_0000UL, 16u)]
    public void Indirect_tables_outside_ram_are_rejected(ulong address, uint length)
    {
        Publish(address, length);
        string message = PopFails();
        Assert.Contains("indirect descriptor table", message);
        Assert.Contains("not in guest RAM", message);
    }

    [Fact]
    public void A_table_with_more_than_65536_entries_is_rejected()
    {
        Publish(0, 65537 * 16);
        Assert.Contains("more than 65536", PopFails());
    }

    [Fact]
    public void Indirect_together_with_next_is_rejected()
    {
        WriteEntry(0, 0x9000, 4, 0, 0);
        _driver.WriteDescriptor(0, Table, 16, Indirect | Next, 1);
        _driver.WriteDescriptor(1, 0x9000, 4, 0, 0);
        _driver.PublishAvail(0);
        Assert.Contains("both INDIRECT and NEXT", PopFails());
    }

    [Fact]
    public void A_loop_inside_the_table_is_stopped_at_its_entry_count()
    {
        WriteEntry(0, 0x9000, 4, Next, 1);
        WriteEntry(1, 0x9000, 4, Next, 2);
        WriteEntry(2, 0x9000, 4, Next, 0);
        Publish(Table, 48);
        Assert.Contains("longer than its table's 3 entries", PopFails());
    }

    [Fact]
    public void Next_past_the_table_is_rejected_even_if_it_is_inside_the_queue()
    {
        WriteEntry(0, 0x9000, 4, Next, 2);
        Publish(Table, 32);
        Assert.Contains("past the table's 2 entries", PopFails());
    }

    [Fact]
    public void Chains_totalling_more_than_4_GiB_are_rejected()
    {
        // 4097 one-MiB buffers, all over the same RAM: each is valid, together they pass 2^32.
        for (int i = 0; i < 4097; i++)
        {
            WriteEntry(i, 0, 1 << 20, Write | (i < 4096 ? Next : 0), (ushort)(i + 1), 0x80000);
        }

        Publish(0x80000, 4097 * 16);
        Assert.Contains("more than 0xffffffff bytes", PopFails());
    }

    [Fact]
    public void Chains_just_under_4_GiB_are_accepted()
    {
        for (int i = 0; i < 4096; i++)
        {
            uint length = i == 0 ? (1u << 20) - 1 : 1u << 20;
            WriteEntry(i, 0, length, Write | (i < 4095 ? Next : 0), (ushort)(i + 1), 0x80000);
        }

        Publish(0x80000, 4096 * 16);
        Assert.True(_device.TryPop(out DescriptorChain? chain));
        Assert.Equal(uint.MaxValue, chain.WritableLength);
        Assert.Equal((ulong)uint.MaxValue, chain.Writer.Remaining);
    }

    private void WriteEntry(int index, ulong address, uint length, int flags, ushort next, ulong table = Table) =>
        _driver.WriteDescriptorAt(table + (16UL * (ulong)index), address, length, (ushort)flags, next);

    private void Publish(ulong table, uint length)
    {
        _driver.WriteDescriptor(0, table, length, Indirect, 0);
        _driver.PublishAvail(0);
    }

    private string PopFails() => Assert.Throws<VirtqueueException>(() => _device.TryPop(out _)).Message;
}
