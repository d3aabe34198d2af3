using Emulator.Tests.Shared;
using Emulator.Virtio;

namespace Emulator.VirtioBlock.Tests;

/// <summary>
/// Random chains (any buffer count, lengths up to 4 GiB, directions in any order) and random headers
/// near the interesting edges (types, sectors around the end of the disk and near 2^64) fed to the
/// parser. Nothing may throw, and whatever it accepts must be executable without stepping outside the
/// chain or the disk. Seeded, so a failure reproduces.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly int Iterations = FuzzBudget.Iterations(200_000);

    private static readonly uint[] Types = [0, 1, 2, 4, 5, 8, 11, 13, 0x80000000, uint.MaxValue];

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void Random_chains_never_throw_and_accepted_requests_stay_inside_chain_and_disk()
    {
        var rng = new Random(5_2_6);
        byte[] header = new byte[16];
        int accepted = 0;
        for (int i = 0; i < Iterations; i++)
        {
            var limits = new BlockLimits
            {
                CapacitySectors = (ulong)rng.NextInt64(0, 1L << rng.Next(1, 56)),
                SegMax = (uint)rng.Next(1, 8),
                MaxDiscardSegments = (uint)rng.Next(1, 4),
                MaxWriteZeroesSegments = (uint)rng.Next(1, 4),
                ReadOnly = rng.Next(4) == 0,
                DiscardEnabled = rng.Next(2) == 0,
                WriteZeroesEnabled = rng.Next(2) == 0,
            };
            uint type = Types[rng.Next(Types.Length)];
            Descriptor[] chain = rng.Next(2) == 0 ? RandomChain(rng) : PlausibleChain(rng, type);
            rng.NextBytes(header);
            BitConverter.TryWriteBytes(header, type);
            BitConverter.TryWriteBytes(header.AsSpan(8), RandomSector(rng, limits.CapacitySectors));
            int headerLength = rng.Next(8) == 0 ? rng.Next(16) : 16;

            BlockRequest r = BlockRequestParser.Parse(header.AsSpan(0, headerLength), chain, limits);

            Assert.True(Enum.IsDefined(r.Status), $"iteration {i}: status {r.Status}");
            if (!r.IsValid)
            {
                Assert.False(r.Error is null, $"iteration {i}: a rejection without a reason");
                Assert.True(!r.HasStatus || ChainWindow.StatusAddress(chain) is not null, $"iteration {i}: a status with nowhere to go");
                continue;
            }

            accepted++;
            CheckAccepted(i, r, chain, limits);
        }

        Assert.True(accepted > Iterations / 20, $"only {accepted} of {Iterations} random requests were accepted: the generator is too hostile to test acceptance");
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void Random_segment_lists_never_throw_and_accepted_segments_lie_inside_the_disk()
    {
        var rng = new Random(1113);
        var segments = new BlockSegment[8];
        for (int i = 0; i < Iterations / 4; i++)
        {
            var limits = new BlockLimits { CapacitySectors = (ulong)rng.NextInt64(0, 1L << 40), MaxDiscardSectors = (uint)rng.Next(), MaxWriteZeroesSectors = (uint)rng.Next() };
            byte[] data = new byte[rng.Next(9) * 16 + (rng.Next(6) == 0 ? rng.Next(16) : 0)];
            rng.NextBytes(data);
            for (int s = 0; s + 16 <= data.Length; s += 16)
            {
                BitConverter.TryWriteBytes(data.AsSpan(s), RandomSector(rng, limits.CapacitySectors));
                BitConverter.TryWriteBytes(data.AsSpan(s + 8), (uint)rng.Next(0, 1 << rng.Next(1, 31)));
                BitConverter.TryWriteBytes(data.AsSpan(s + 12), (uint)rng.Next(3));
            }

            var type = rng.Next(2) == 0 ? VirtioBlkRequestType.Discard : VirtioBlkRequestType.WriteZeroes;
            if (BlockRequestParser.ParseSegments(type, data, limits, segments, out _) != VirtioBlkStatus.Ok)
            {
                continue;
            }

            for (int s = 0; s < data.Length / 16; s++)
            {
                Assert.True(segments[s].Sector + segments[s].NumSectors <= limits.CapacitySectors, $"iteration {i}: segment {s} outside the disk");
                Assert.True(type == VirtioBlkRequestType.WriteZeroes || !segments[s].Unmap);
            }
        }
    }

    private static void CheckAccepted(int i, BlockRequest r, Descriptor[] chain, BlockLimits limits)
    {
        ulong readable = (ulong)chain.Where(b => !b.IsWritable).Sum(b => (long)b.Length);
        ulong writable = (ulong)chain.Where(b => b.IsWritable).Sum(b => (long)b.Length);
        Assert.True(readable >= 16 && writable >= 1 && chain[^1].IsWritable, $"iteration {i}: accepted without header or status");
        if (r.DataIsWritable)
        {
            Assert.True(r.DataLength <= writable - 1, $"iteration {i}: data overlaps the status byte");
        }
        else
        {
            Assert.True(r.DataLength <= readable - 16, $"iteration {i}: data runs past the readable buffers");
        }

        if (r.Type is VirtioBlkRequestType.In or VirtioBlkRequestType.Out)
        {
            Assert.Equal(0UL, r.DataLength % 512);
            Assert.True(r.Sector + (r.DataLength / 512) <= limits.CapacitySectors && r.Sector <= limits.CapacitySectors, $"iteration {i}: outside the disk");
            Assert.True(r.Type == VirtioBlkRequestType.In || !limits.ReadOnly, $"iteration {i}: write to a read-only disk");
        }

        Assert.True(r.Type is not (VirtioBlkRequestType.Discard or VirtioBlkRequestType.WriteZeroes) || !limits.ReadOnly);
        ulong start = r.DataIsWritable ? 0UL : 16UL;
        List<(ulong Address, uint Length)> pieces = ChainWindow.Pieces(chain, r.DataIsWritable, start, r.DataLength);
        Assert.Equal(r.DataLength, (ulong)pieces.Sum(p => (long)p.Length));
        ulong status = ChainWindow.StatusAddress(chain) ?? throw new InvalidOperationException("accepted without status");
        foreach ((ulong address, uint length) in pieces)
        {
            Assert.Contains(chain, b => b.IsWritable == r.DataIsWritable && address >= b.Address && address + length <= b.Address + b.Length);
            Assert.False(r.DataIsWritable && status >= address && status < address + length, $"iteration {i}: data piece covers the status byte");
        }
    }

    /// <summary>A chain shaped as a driver would build it for the type, with one random flaw now and then.</summary>
    private static Descriptor[] PlausibleChain(Random rng, uint type)
    {
        List<(uint Length, bool Writable)> parts = [(16, false)];
        bool dataWritable = type is 0 or 8;
        int buffers = type == 4 ? 0 : rng.Next(1, 5);
        for (int i = 0; i < buffers; i++)
        {
            parts.Add((type is 11 or 13 ? 16u * (uint)rng.Next(1, 3) : 512u * (uint)rng.Next(1, 9), dataWritable));
        }

        parts.Add((1, true));
        if (rng.Next(4) == 0)
        {
            int at = rng.Next(parts.Count);
            parts[at] = rng.Next(2) == 0 ? (parts[at].Length + (uint)rng.Next(1, 600), parts[at].Writable) : (parts[at].Length, !parts[at].Writable);
        }

        ulong address = 0x1000;
        var chain = new Descriptor[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            chain[i] = new Descriptor(address, parts[i].Length, parts[i].Writable);
            address += parts[i].Length;
        }

        return chain;
    }

    private static Descriptor[] RandomChain(Random rng)
    {
        int count = rng.Next(0, 8);
        var chain = new Descriptor[count];
        ulong address = 0x1000;
        bool ordered = rng.Next(4) != 0;
        int firstWritable = rng.Next(0, count + 1);
        for (int i = 0; i < count; i++)
        {
            uint length = rng.Next(4) switch
            {
                0 => (uint)rng.Next(1, 32),
                1 => 512u * (uint)rng.Next(1, 9),
                2 => 16,
                _ => rng.Next(8) == 0 ? uint.MaxValue - (uint)rng.Next(4) : (uint)rng.Next(1, 1 << 20),
            };
            bool writable = ordered ? i >= firstWritable : rng.Next(2) == 0;
            chain[i] = new Descriptor(address, length, writable);
            address += length;
        }

        return chain;
    }

    private static ulong RandomSector(Random rng, ulong capacity) => rng.Next(5) switch
    {
        0 => ulong.MaxValue - (ulong)rng.Next(64),
        1 => capacity - Math.Min(capacity, (ulong)rng.Next(16)),
        2 => capacity + (ulong)rng.Next(16),
        _ => capacity == 0 ? 0 : (ulong)rng.NextInt64(0, (long)Math.Min(capacity, long.MaxValue)),
    };
}
