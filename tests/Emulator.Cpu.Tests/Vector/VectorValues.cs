using System.Buffers.Binary;

namespace Emulator.Cpu.Tests.Vector;

/// <summary>Random operand values biased to the edges: integer extremes and the IEEE specials of both widths, per lane of a random size.</summary>
public sealed class VectorValues(int seed)
{
    private static readonly uint[] Singles =
    [
        0, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0xFFA0_0000, 0x0000_0001,
        0x807F_FFFF, 0x0080_0000, 0x7F7F_FFFF, 0xFF7F_FFFF, 0x3F80_0000, 0xBF80_0000, 0x4F00_0000, 0xCF00_0000,
        0x3F00_0000, 0x3FC0_0000, 0x4B00_0001, 0x0040_0000, 0x5F00_0000, 0xDF00_0000, 0x7FFF_FFFF,

        // Half an ulp of 1.0 and its neighbours (ties in addition), the underflow and overflow thresholds.
        0x3380_0000, 0x3380_0001, 0x337F_FFFF, 0x3F80_0001, 0x3FFF_FFFF, 0x00FF_FFFF, 0x0080_0001, 0x7F00_0000,
        0x7F7F_FFFE, 0x1F80_0000, 0x2000_0000, 0x5F80_0000, 0x3400_0000,
    ];

    private static readonly ulong[] Doubles =
    [
        0, 0x8000_0000_0000_0000, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x7FF8_0000_0000_0000, 0xFFF8_0000_0000_0000,
        0x7FF0_0000_0000_0001, 0xFFF4_0000_0000_0000, 1, 0x800F_FFFF_FFFF_FFFF, 0x0010_0000_0000_0000, 0x7FEF_FFFF_FFFF_FFFF,
        0x3FF0_0000_0000_0000, 0xBFF0_0000_0000_0000, 0x41E0_0000_0000_0000, 0xC1E0_0000_0000_0000, 0x3FE0_0000_0000_0000,
        0x43E0_0000_0000_0000, 0xC3E0_0000_0000_0000, 0x4330_0000_0000_0001, 0x47EF_FFFF_E000_0000, 0x3690_0000_0000_0000,
        0x0000_0000_2000_0000, 0x41DF_FFFF_FFC0_0000,
        0x3CA0_0000_0000_0000, 0x3CA0_0000_0000_0001, 0x3C9F_FFFF_FFFF_FFFF, 0x3FF0_0000_0000_0001, 0x3FFF_FFFF_FFFF_FFFF,
        0x001F_FFFF_FFFF_FFFF, 0x0010_0000_0000_0001, 0x7FE0_0000_0000_0000, 0x1FF0_0000_0000_0000, 0x2000_0000_0000_0000,
        0x5FF0_0000_0000_0000, 0x3810_0000_0000_0000, 0x380F_FFFF_F000_0000, 0x47EF_FFFF_F000_0000, 0x3FF0_0000_1000_0000,
    ];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    /// <summary>The element size (4 or 8) a floating-point form computes on, so its lanes get IEEE specials more often; 0 for none.</summary>
    public int PreferredLane { get; set; }

    public int Next(int maxExclusive) => _random.Next(maxExclusive);

    public ulong NextUInt64() => (ulong)_random.NextInt64() ^ ((ulong)_random.Next(2) << 63);

    /// <summary>Fills <paramref name="bytes"/> lane by lane with random, extreme or IEEE-special values.</summary>
    public void Fill(Span<byte> bytes)
    {
        int lane = PreferredLane != 0 && _random.Next(4) != 0 ? PreferredLane : 1 << _random.Next(4);
        for (int offset = 0; offset + lane <= bytes.Length; offset += lane)
        {
            Span<byte> slot = bytes.Slice(offset, lane);
            switch (_random.Next(lane == PreferredLane ? 10 : 8))
            {
                case 0:
                case 1:
                case 2:
                    _random.NextBytes(slot);
                    break;
                case 3:
                    slot.Fill(_random.Next(2) == 0 ? (byte)0 : (byte)0xFF);
                    break;
                case 4:
                    slot.Clear();
                    slot[^1] = _random.Next(2) == 0 ? (byte)0x80 : (byte)0x7F;
                    if (slot[^1] == 0x7F)
                    {
                        slot[..^1].Fill(0xFF);
                    }

                    break;
                case 5:
                    slot.Clear();
                    slot[0] = (byte)_random.Next(17);
                    break;
                default:
                    if (lane == 4)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(slot, Singles[_random.Next(Singles.Length)] ^ (uint)_random.Next(4));
                    }
                    else if (lane == 8)
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(slot, Doubles[_random.Next(Doubles.Length)] ^ (ulong)_random.Next(4));
                    }
                    else
                    {
                        _random.NextBytes(slot);
                    }

                    break;
            }
        }
    }

    public ulong NextValue()
    {
        Span<byte> bytes = stackalloc byte[8];
        Fill(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    /// <summary>A masked MXCSR (no exception can trap) with random rounding, FTZ, DAZ and sticky flags.</summary>
    public ulong NextMxcsr() => 0x1F80U | ((uint)_random.Next(4) << 13) | ((uint)_random.Next(2) << 15) | ((uint)_random.Next(2) << 6) | (uint)_random.Next(64);
}
