using Emulator.Tests.Shared;
using Emulator.Memory;

namespace Emulator.Virtio.Tests;

/// <summary>
/// Random descriptor tables and avail rings (seeded, so failures reproduce) fed to the device
/// queue. Only VirtqueueException may escape, every pop ends, every chain that pops obeys the
/// rules, and the only bytes that change are in the used ring or in writable buffers of chains
/// that popped (checked against a shadow copy of all guest RAM).
/// </summary>
public sealed class QueueFuzzTests
{
    private static readonly int Iterations = FuzzBudget.Iterations(100_000);
    private const ulong DescTable = 0x0;
    private const ulong AvailRing = 0x100;
    private const ulong UsedRing = 0x140;
    private const ulong IndirectArea = 0x200;
    private const int IndirectEntries = 64;
    private const ulong TablesEnd = IndirectArea + (IndirectEntries * 16);
    private const ushort MaxSize = 16;

    private static readonly (ulong Base, ulong Size)[] Layout = [(0, 0x4000), (0x4000, 0x2000), (0x10000, 0x1000)];

    [Fact]

    [Trait("Category", FuzzBudget.Category)]
    public void Random_rings_only_ever_raise_virtqueue_exceptions_and_write_only_where_allowed()
    {
        using GuestMemory mem = GuestMemory.Create(Layout);
        byte[][] shadow = [.. Layout.Select(r => new byte[r.Size])];
        var rng = new Random(20240611);
        byte[] marker = Enumerable.Repeat((byte)0xEE, 512).ToArray();
        byte[] sink = new byte[4096];
        int popped = 0;
        int rejected = 0;
        int rereadOk = 0;
        int rereadRejected = 0;

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            ushort size = (ushort)(1 << rng.Next(5));
            ushort nextAvail = (ushort)rng.Next(65536);
            WriteRandomRings(mem, rng, size, nextAvail);
            mem.Read(0, shadow[0].AsSpan(0, (int)TablesEnd));

            var queue = new SplitQueue(mem, size, DescTable, AvailRing, UsedRing, rng.Next(2) == 0)
            {
                NextAvail = nextAvail,
                NextUsed = (ushort)rng.Next(65536),
            };
            if (rng.Next(2) == 0)
            {
                queue.DisableNotification();
            }

            List<DescriptorChain> chains = [];
            for (int call = 0; call < size + 2; call++)
            {
                try
                {
                    if (!queue.TryPop(out DescriptorChain? chain))
                    {
                        break;
                    }

                    CheckChain(mem, chain, size);
                    Exercise(chain, rng, marker, sink);
                    queue.AddUsed(chain.HeadIndex, chain.Writer.BytesWritten);
                    chains.Add(chain);
                }
                catch (VirtqueueException)
                {
                    rejected++;
                }
            }

            // Re-walking any head (as an in-flight resubmission does) obeys the same rules and
            // touches neither the avail position nor guest RAM (the shadow check below covers it).
            ushort nextAvailBefore = queue.NextAvail;
            ushort rereadHead = rng.Next(10) == 0 ? (ushort)rng.Next(65536) : (ushort)rng.Next(size);
            try
            {
                DescriptorChain reread = queue.ReadChain(rereadHead);
                CheckChain(mem, reread, size);
                Assert.Equal(rereadHead, reread.HeadIndex);
                rereadOk++;
            }
            catch (VirtqueueException)
            {
                rereadRejected++;
            }

            Assert.Equal(nextAvailBefore, queue.NextAvail);

            queue.EnableNotification();
            queue.NeedsNotification();
            Assert.True(chains.Count <= size, $"iteration {iteration}: popped {chains.Count} chains from a queue of {size}");
            popped += chains.Count;
            CheckOnlyAllowedBytesChanged(mem, shadow, chains, size, iteration);
        }

        // The generator must reach both outcomes often, or the test proves little.
        Assert.True(popped > Iterations / 2, $"only {popped} chains popped");
        Assert.True(rejected > Iterations / 2, $"only {rejected} chains rejected");
        Assert.True(rereadOk > Iterations / 10 && rereadRejected > Iterations / 10, $"re-reads: {rereadOk} walked, {rereadRejected} rejected");
    }

    private static void WriteRandomRings(GuestMemory mem, Random rng, ushort size, ushort nextAvail)
    {
        bool tidy = rng.Next(2) == 0;
        for (int i = 0; i < size; i++)
        {
            WriteRandomDescriptor(mem, rng, DescTable + (16UL * (ulong)i), i, size, tidy);
        }

        for (int i = 0; i < IndirectEntries; i++)
        {
            WriteRandomDescriptor(mem, rng, IndirectArea + (16UL * (ulong)i), i, IndirectEntries, tidy);
        }

        for (int i = 0; i < size; i++)
        {
            ushort head = rng.Next(30) == 0 ? (ushort)rng.Next(65536) : (ushort)rng.Next(size);
            mem.Write(AvailRing + 4 + (2UL * (ulong)i), head);
        }

        int pending = rng.Next(20) == 0 ? rng.Next(65536) : rng.Next(size + 1);
        mem.Write(AvailRing + 0, (ushort)rng.Next(2));
        mem.Write(AvailRing + 2, (ushort)(nextAvail + pending));
        mem.Write(AvailRing + 4 + (2UL * size), (ushort)rng.Next(65536));
    }

    /// <summary>Tidy tables mostly hold valid sequential chains with the odd fault; the rest are noise.</summary>
    private static void WriteRandomDescriptor(GuestMemory mem, Random rng, ulong at, int index, int tableEntries, bool tidy)
    {
        ulong address;
        uint length;
        ushort flags;
        ushort next;
        if (tidy && rng.Next(8) != 0)
        {
            address = 0x600 + (ulong)rng.Next(0x5800);
            length = (uint)rng.Next(1, 0x400);
            flags = (ushort)((rng.Next(3) != 0 ? DescriptorFlags.Next : 0) | (index * 2 >= tableEntries ? DescriptorFlags.Write : 0));
            next = rng.Next(30) == 0 ? (ushort)rng.Next(tableEntries) : (ushort)(index + 1);
            if (rng.Next(40) == 0)
            {
                (address, length, flags) = (IndirectArea + (16UL * (ulong)rng.Next(IndirectEntries)), 16u * (uint)rng.Next(1, 8), DescriptorFlags.Indirect);
            }
        }
        else
        {
            address = RandomAddress(rng);
            length = RandomLength(rng);
            flags = rng.Next(5) == 0 ? (ushort)rng.Next(65536) : (ushort)rng.Next(8);
            next = rng.Next(10) == 0 ? (ushort)rng.Next(65536) : (ushort)rng.Next(tableEntries + 1);
        }

        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, address);
        BitConverter.TryWriteBytes(bytes[8..], length);
        BitConverter.TryWriteBytes(bytes[12..], flags);
        BitConverter.TryWriteBytes(bytes[14..], next);
        mem.Write(at, bytes);
    }

    private static ulong RandomAddress(Random rng)
    {
        int region = rng.Next(Layout.Length);
        return rng.Next(10) switch
        {
            < 5 => Layout[region].Base + (ulong)rng.NextInt64((long)Layout[region].Size),
            5 => Layout[region].Base + Layout[region].Size - (ulong)rng.Next(1, 64),
            6 => 0x6000 + (ulong)rng.Next(0xA000 + 0x1000) + (rng.Next(2) == 0 ? 0 : 0x11000UL),
            7 => ulong.MaxValue - (ulong)rng.Next(64),
            8 => (ulong)rng.NextInt64() * 2,
            _ => IndirectArea + (16UL * (ulong)rng.Next(IndirectEntries)),
        };
    }

    private static uint RandomLength(Random rng) => rng.Next(10) switch
    {
        < 4 => (uint)rng.Next(1, 64),
        4 => 0,
        5 => (uint)rng.Next(1, 0x3000),
        6 => uint.MaxValue - (uint)rng.Next(16),
        7 or 8 => 16u * (uint)rng.Next(0, IndirectEntries + 4),
        _ => (uint)rng.NextInt64(1L << 32),
    };

    /// <summary>An independent restatement of the rules every popped chain must obey.</summary>
    private static void CheckChain(GuestMemory mem, DescriptorChain chain, ushort size)
    {
        Assert.True(chain.HeadIndex < size);
        Assert.NotEmpty(chain.Descriptors);
        Assert.True(chain.Descriptors.Count <= size + IndirectEntries);
        bool sawWritable = false;
        ulong readable = 0;
        ulong writable = 0;
        foreach (Descriptor d in chain.Descriptors)
        {
            Assert.True(d.Length > 0);
            Assert.True(mem.IsValidRange(d.Address, d.Length));
            Assert.False(sawWritable && !d.IsWritable);
            sawWritable |= d.IsWritable;
            if (d.IsWritable)
            {
                writable += d.Length;
            }
            else
            {
                readable += d.Length;
            }
        }

        Assert.Equal(readable, chain.ReadableLength);
        Assert.Equal(writable, chain.WritableLength);
    }

    private static void Exercise(DescriptorChain chain, Random rng, byte[] marker, byte[] sink)
    {
        DescriptorChainReader reader = chain.Reader;
        while (reader.Read(sink) > 0)
        {
        }

        Assert.Equal(0UL, reader.Remaining);
        Assert.Equal(chain.ReadableLength, reader.BytesRead);

        DescriptorChainWriter writer = chain.Writer;
        if (writer.Remaining > 0 && rng.Next(2) == 0)
        {
            writer.SplitAtEnd(1).Write(marker.AsSpan(0, 1));
        }

        int n = (int)Math.Min(writer.Remaining, (ulong)rng.Next(marker.Length));
        writer.Write(marker.AsSpan(0, n));
        if (writer.Remaining < (ulong)marker.Length)
        {
            Assert.Throws<VirtqueueException>(() => writer.Write(marker.AsSpan(0, (int)writer.Remaining + 1)));
        }
    }

    private static void CheckOnlyAllowedBytesChanged(GuestMemory mem, byte[][] shadow, List<DescriptorChain> chains, ushort size, int iteration)
    {
        for (int r = 0; r < Layout.Length; r++)
        {
            Assert.True(mem.TryGetSpan(Layout[r].Base, (int)Layout[r].Size, out Span<byte> live));
            Span<byte> expected = shadow[r];
            int i = 0;
            while (true)
            {
                i += live[i..].CommonPrefixLength(expected[i..]);
                if (i == live.Length)
                {
                    break;
                }

                ulong address = Layout[r].Base + (ulong)i;
                Assert.True(
                    IsAllowedWrite(address, chains, size),
                    $"iteration {iteration}: byte at 0x{address:x} changed outside the used ring and every writable buffer");
                expected[i] = live[i];
                i++;
            }
        }
    }

    private static bool IsAllowedWrite(ulong address, List<DescriptorChain> chains, ushort size)
    {
        if (address >= UsedRing && address - UsedRing < SplitRingLayout.UsedRingBytes(size))
        {
            return true;
        }

        return chains.Any(c => c.Descriptors.Any(d => d.IsWritable && address >= d.Address && address - d.Address < d.Length));
    }
}
