using Emulator.Memory;

namespace Emulator.Virtio.Tests;

public sealed class SplitQueuePopTests
{
    [Fact]
    public void A_direct_chain_pops_with_its_buffers_in_order()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0x1000, 16);
        SplitQueue device = driver.CreateDeviceQueue(eventIdx: false);
        Assert.False(device.TryPop(out _));

        MockChain sent = driver.AddChain([[1, 2, 3], [4, 5]], [16, 1]);
        Assert.True(device.HasAvailable);
        Assert.True(device.TryPop(out DescriptorChain? chain));
        Assert.Equal(sent.Head, chain.HeadIndex);
        Assert.Equal(4, chain.Descriptors.Count);
        Assert.Equal(5u, chain.ReadableLength);
        Assert.Equal(17u, chain.WritableLength);
        Assert.Equal([false, false, true, true], chain.Descriptors.Select(d => d.IsWritable));
        Assert.Equal(sent.Readable.Concat(sent.Writable), chain.Descriptors);
        Assert.Equal(1, device.NextAvail);
        Assert.False(device.HasAvailable);
        Assert.False(device.TryPop(out _));
    }

    [Fact]
    public void Chains_pop_in_the_order_they_were_published()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0, 8);
        SplitQueue device = driver.CreateDeviceQueue(false);
        ushort[] heads = [.. Enumerable.Range(0, 5).Select(i => driver.AddChain([[(byte)i]], []).Head)];

        foreach (ushort head in heads)
        {
            Assert.True(device.TryPop(out DescriptorChain? chain));
            Assert.Equal(head, chain.HeadIndex);
        }

        Assert.False(device.TryPop(out _));
    }

    [Fact]
    public void Indexes_wrap_at_16_bits_while_chains_keep_flowing()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0, 4);
        driver.SetAvailIndex(65530);
        driver.SetUsedIndex(65530);
        SplitQueue device = driver.CreateDeviceQueue(false);
        Assert.Equal(65530, device.NextAvail);

        for (int i = 0; i < 40; i++)
        {
            driver.ResetAllocator();
            MockChain sent = driver.AddChain([[(byte)i]], [4]);
            DescriptorChain? chain = null;
            Assert.True(device.TryPop(out chain));
            Assert.Equal((byte)i, chain.Reader.ReadObject<byte>());
            chain.Writer.WriteObject((uint)i);
            device.AddUsed(chain.HeadIndex, chain.Writer.BytesWritten);

            Assert.True(driver.TryGetUsed(out ushort id, out uint len));
            Assert.Equal(sent.Head, id);
            Assert.Equal(4u, len);
            Assert.Equal(BitConverter.GetBytes((uint)i), driver.ReadWritten(sent, 4));
        }

        Assert.Equal(34, device.NextAvail); // 65530 + 40 mod 2^16
        Assert.Equal(34, driver.UsedIndex);
    }

    [Fact]
    public void A_full_ring_across_the_wrap_pops_every_entry()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0, 4);
        driver.SetAvailIndex(65534);
        driver.SetUsedIndex(65534);
        SplitQueue device = driver.CreateDeviceQueue(false);
        for (int i = 0; i < 4; i++)
        {
            driver.AddChain([[(byte)i]], []);
        }

        Assert.Equal(2, driver.AvailIndex); // 65534 + 4 wraps
        for (int i = 0; i < 4; i++)
        {
            Assert.True(device.TryPop(out DescriptorChain? chain));
            Assert.Equal((byte)i, chain.Reader.ReadObject<byte>());
        }

        Assert.False(device.TryPop(out _));
    }

    [Fact]
    public void Next_avail_can_be_restored_like_vhost_user_set_vring_base()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0, 8);
        MockChain first = driver.AddChain([[1]], []);
        MockChain second = driver.AddChain([[2]], []);
        SplitQueue device = driver.CreateDeviceQueue(false);
        device.NextAvail = 1;
        Assert.True(device.TryPop(out DescriptorChain? chain));
        Assert.Equal(second.Head, chain.HeadIndex);
        Assert.NotEqual(first.Head, chain.HeadIndex);
        Assert.False(device.HasAvailable);
    }

    [Fact]
    public void Out_var_is_not_null_after_a_successful_pop()
    {
        using GuestMemory mem = GuestMemory.Create((0, 1 << 20));
        var driver = new MockSplitQueue(mem, 0, 2);
        driver.AddChain([[7]], []);
        SplitQueue device = driver.CreateDeviceQueue(false);
        Assert.True(device.TryPop(out var chain));
        Assert.Equal(7, chain.Reader.ReadObject<byte>());
    }
}
