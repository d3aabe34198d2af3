using Emulator.Memory;
using Emulator.Tests.Shared;
using Emulator.Virtio;

namespace Emulator.VirtioBlock.Tests;

/// <summary>
/// Random descriptor tables (links, loops, indirect tables good and bad, addresses in and out of RAM):
/// finding a broken chain's status byte never throws, always ends, and only ever names a byte that is
/// RAM and the last byte of a device-writable descriptor the guest wrote.
/// </summary>
public sealed class BrokenChainStatusFuzzTests
{
    private const ushort QueueSize = 16;
    private const ulong IndirectTable = 0x2000;
    private static readonly int Iterations = FuzzBudget.Iterations(20_000);

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void Random_tables_yield_only_writable_last_bytes_in_ram()
    {
        using GuestMemory memory = GuestMemory.Create((0, 0x10000));
        var driver = new MockSplitQueue(memory, 0, QueueSize);
        var rng = new Random(77);
        var writableEnds = new HashSet<ulong>();
        int found = 0;
        for (int i = 0; i < Iterations; i++)
        {
            writableEnds.Clear();
            for (ushort d = 0; d < QueueSize; d++)
            {
                Write(rng, memory, driver.DescTable + (16UL * d), writableEnds, allowIndirect: true);
            }

            for (ulong d = 0; d < 8; d++)
            {
                Write(rng, memory, IndirectTable + (16 * d), writableEnds, allowIndirect: rng.Next(8) == 0);
            }

            ushort head = (ushort)rng.Next(QueueSize + 2);
            ulong? status = BrokenChainStatus.Find(memory, driver.DescTable, QueueSize, head);
            if (status is ulong at)
            {
                Assert.True(memory.IsValidRange(at, 1), $"iteration {i}: 0x{at:x} is not RAM");
                Assert.Contains(at, writableEnds);
                found++;
            }
        }

        Assert.True(found > Iterations / 50, $"only {found} of {Iterations} random chains had a usable status byte");
    }

    private static void Write(Random rng, GuestMemory memory, ulong entry, HashSet<ulong> writableEnds, bool allowIndirect)
    {
        ulong address = rng.Next(4) switch
        {
            0 => (ulong)rng.NextInt64(),
            1 => 0x10000 - (ulong)rng.Next(1, 64),
            2 => IndirectTable,
            _ => (ulong)rng.Next(0x3000, 0xF000),
        };
        uint length = rng.Next(4) switch
        {
            0 => 0,
            1 => 16u * (uint)rng.Next(1, 9),
            2 => uint.MaxValue,
            _ => (uint)rng.Next(1, 1024),
        };
        ushort flags = (ushort)rng.Next(allowIndirect ? 8 : 4);
        ushort next = (ushort)rng.Next(QueueSize + 2);
        if ((flags & DescriptorFlags.Write) != 0 && length != 0 && address + length > address)
        {
            writableEnds.Add(address + length - 1);
        }

        Span<byte> raw = stackalloc byte[16];
        BitConverter.TryWriteBytes(raw, address);
        BitConverter.TryWriteBytes(raw[8..], length);
        BitConverter.TryWriteBytes(raw[12..], flags);
        BitConverter.TryWriteBytes(raw[14..], next);
        memory.Write(entry, raw);
    }
}
