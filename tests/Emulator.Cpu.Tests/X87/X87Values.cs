namespace Emulator.Cpu.Tests.X87;

/// <summary>Edge and random operands: extended values and the raw bits of memory operands.</summary>
public sealed class X87Values(Random random)
{
    private static readonly Float80[] Edges =
    [
        F(0, 0), F(0x8000, 0),
        F(0x3FFF, 0x8000_0000_0000_0000), F(0xBFFF, 0x8000_0000_0000_0000),
        F(0x7FFF, 0x8000_0000_0000_0000), F(0xFFFF, 0x8000_0000_0000_0000),
        F(0x7FFF, 0xC000_0000_0000_0000), F(0xFFFF, 0xC000_0000_0000_0000), F(0x7FFF, 0xC000_0000_0000_0001),
        F(0x7FFF, 0x8000_0000_0000_0001), F(0xFFFF, 0xA000_0000_0000_0000), F(0x7FFF, 0xFFFF_FFFF_FFFF_FFFF),
        F(0, 1), F(0x8000, 0x7FFF_FFFF_FFFF_FFFF), F(0, 0x4000_0000_0000_0000),
        F(0, 0x8000_0000_0000_0000), F(0x8000, 0x8000_0000_0000_0001),
        F(1, 0x8000_0000_0000_0000), F(0x8001, 0xFFFF_FFFF_FFFF_FFFF),
        F(0x7FFE, 0xFFFF_FFFF_FFFF_FFFF), F(0xFFFE, 0x8000_0000_0000_0000),
        F(0x3FFE, 0x8000_0000_0000_0000), F(0x4000, 0xC000_0000_0000_0000), F(0x3FFF, 0xC000_0000_0000_0000),
        F(0x403E, 0xFFFF_FFFF_FFFF_FFFF), F(0x403D, 0xFFFF_FFFF_FFFF_FFFF), F(0xC03E, 0x8000_0000_0000_0000),
        F(0x401D, 0x8000_0001_0000_0000), F(0x400E, 0xFFFF_0000_0000_0000),
        F(0x3C00, 0x8000_0000_0000_0000), F(0x3C01, 0x8000_0000_0000_0000), F(0x3F80, 0x8000_0000_0000_0000),
        F(0x43FE, 0xFFFF_FF00_0000_0000), F(0x407F, 0x8000_0000_0000_0000), F(0x3F6A, 0x8000_0000_0000_0000),
    ];

    /// <summary>Unnormals, pseudo-NaNs and pseudo-infinities: only some cases, they are rare in practice.</summary>
    private static readonly Float80[] Unsupported = [F(0x3FFF, 0x4000_0000_0000_0000), F(0x7FFF, 0), F(0x7FFF, 0x4000_0000_0000_0000)];

    private static Float80 F(int signExponent, ulong significand) => new() { SignExponent = (ushort)signExponent, Significand = significand };

    private ulong NextUlong() => (ulong)random.NextInt64() ^ ((ulong)random.Next(4) << 62);

    public Float80 Extended(bool allowUnsupported = true)
    {
        int pick = random.Next(100);
        if (pick < 20)
        {
            return Edges[random.Next(Edges.Length)];
        }

        if (pick < 22 && allowUnsupported)
        {
            return Unsupported[random.Next(Unsupported.Length)];
        }

        int sign = random.Next(2) << 15;
        ulong significand = NextUlong() | 0x8000_0000_0000_0000;
        if (random.Next(3) == 0)
        {
            // Few significant bits: exact results, ties and rounding boundaries.
            int low = random.Next(64);
            significand &= ~((1UL << low) - 1);
            if (random.Next(2) == 0 && low > 0)
            {
                significand |= 1UL << (low - 1);
            }
        }

        int exponent = pick switch
        {
            < 30 => random.Next(0, 3),
            < 35 => 0x7FFF - random.Next(1, 4),
            < 40 => random.Next(0x7FFF),
            < 45 => 0x3FFF + (random.Next(2) == 0 ? 1 : -1) * random.Next(0x3F00, 0x3FFF),
            _ => 0x3FFF + random.Next(-70, 70),
        };
        if (exponent == 0 && random.Next(4) != 0)
        {
            significand &= 0x7FFF_FFFF_FFFF_FFFF;
        }

        return F(sign | exponent, significand);
    }

    /// <summary>A second operand near the first (same or close exponent), for cancellation and alignment edges.</summary>
    public Float80 Near(Float80 a)
    {
        int exponent = Math.Clamp((a.SignExponent & 0x7FFF) + random.Next(-3, 4), 0, 0x7FFE);
        ulong significand = random.Next(2) == 0 ? a.Significand ^ (1UL << random.Next(64)) : a.Significand + (ulong)random.Next(-2, 3);
        if (exponent != 0)
        {
            significand |= 0x8000_0000_0000_0000;
        }

        return F((a.SignExponent & 0x8000) ^ (random.Next(2) << 15) | exponent, significand);
    }

    public uint Single()
    {
        uint[] edges = [0, 0x8000_0000, 1, 0x007F_FFFF, 0x8000_0001, 0x0080_0000, 0x7F7F_FFFF, 0xFF7F_FFFF, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0001, 0x7F80_0001, 0x7FA0_0000, 0x3F80_0000, 0x3F00_0000, 0x4B00_0000];
        return random.Next(4) == 0 ? edges[random.Next(edges.Length)] : (uint)NextUlong();
    }

    public ulong Double()
    {
        ulong[] edges = [0, 0x8000_0000_0000_0000, 1, 0x000F_FFFF_FFFF_FFFF, 0x0010_0000_0000_0000, 0x7FEF_FFFF_FFFF_FFFF, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x7FF8_0000_0000_0000, 0x7FF0_0000_0000_0001, 0xFFF4_0000_0000_0000, 0x3FF0_0000_0000_0000, 0x4330_0000_0000_0000];
        if (random.Next(4) == 0)
        {
            return edges[random.Next(edges.Length)];
        }

        ulong bits = NextUlong();
        return random.Next(2) == 0 ? bits : (bits & 0x800F_FFFF_FFFF_FFFF) | ((ulong)(0x3FF + random.Next(-70, 70)) << 52);
    }

    public long Integer(int bits)
    {
        long[] edges = [0, 1, -1, 2, -2, long.MaxValue, long.MinValue, int.MaxValue, int.MinValue, short.MaxValue, short.MinValue, 1L << 53, (1L << 53) + 1, long.MaxValue - 1022];
        long value = random.Next(3) == 0 ? edges[random.Next(edges.Length)] : random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64);
        return bits == 64 ? value : bits == 32 ? (int)value : (short)value;
    }

    public byte[] Bcd()
    {
        byte[] bytes = new byte[10];
        int digits = random.Next(1, 19);
        for (int d = 0; d < digits; d++)
        {
            int digit = random.Next(10);
            bytes[d / 2] |= (byte)(d % 2 == 0 ? digit : digit << 4);
        }

        bytes[9] = (byte)(random.Next(2) << 7);
        return bytes;
    }
}
