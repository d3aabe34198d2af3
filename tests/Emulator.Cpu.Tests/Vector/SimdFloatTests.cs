using Emulator.Tests.Shared;

namespace Emulator.Cpu.Tests.Vector;

/// <summary>The exact soft-float core: directed rounding, tininess after rounding, FTZ/DAZ, flags, NaN rules, and agreement with .NET (the host's SSE) in round-to-nearest.</summary>
public sealed class SimdFloatTests
{
    private static readonly SimdFloatFormat S = SimdFloatFormat.Single;
    private static readonly SimdFloatFormat D = SimdFloatFormat.Double;

    private static SimdFloatEnvironment Env(SimdRounding mode = SimdRounding.Nearest, bool ftz = false, bool daz = false) => new(mode, ftz, daz);

    [Theory]
    [InlineData(SimdRounding.Nearest, 0x3F80_0000U)]
    [InlineData(SimdRounding.Up, 0x3F80_0001U)]
    [InlineData(SimdRounding.Down, 0x3F80_0000U)]
    [InlineData(SimdRounding.TowardZero, 0x3F80_0000U)]
    public void HalfUlpTieRoundsByMode(SimdRounding mode, uint expected)
    {
        SimdFloatEnvironment env = Env(mode);
        Assert.Equal(expected, SimdFloat.Add(S, 0x3F80_0000, 0x3380_0000, env));
        Assert.Equal(MxcsrBits.Precision, env.Flags);
    }

    [Fact]
    public void NegativeValuesRoundAwayFromZeroDownward()
    {
        Assert.Equal(0xBF80_0001UL, SimdFloat.Add(S, 0xBF80_0000, 0xB380_0000, Env(SimdRounding.Down)));
        Assert.Equal(0xBF80_0000UL, SimdFloat.Add(S, 0xBF80_0000, 0xB380_0000, Env(SimdRounding.Up)));
    }

    [Theory]
    [InlineData(SimdRounding.Nearest, 0x7F80_0000U)]
    [InlineData(SimdRounding.Up, 0x7F80_0000U)]
    [InlineData(SimdRounding.Down, 0x7F7F_FFFFU)]
    [InlineData(SimdRounding.TowardZero, 0x7F7F_FFFFU)]
    public void OverflowGivesInfinityOrTheLargestFinite(SimdRounding mode, uint expected)
    {
        SimdFloatEnvironment env = Env(mode);
        Assert.Equal(expected, SimdFloat.Multiply(S, 0x7F7F_FFFF, 0x4000_0000, env));
        Assert.Equal(MxcsrBits.Overflow | MxcsrBits.Precision, env.Flags);
    }

    [Fact]
    public void TininessIsDetectedAfterRounding()
    {
        // (1 - 2^-24) * 2^-126 is tiny before and after unbounded rounding; it rounds (tie to even) up to 2^-126.
        SimdFloatEnvironment env = Env();
        Assert.Equal(0x0080_0000UL, SimdFloat.Multiply(S, 0x3F7F_FFFF, 0x0080_0000, env));
        Assert.Equal(MxcsrBits.Underflow | MxcsrBits.Precision, env.Flags);

        // An exact denormal result is no underflow; with FTZ it flushes with UE and PE.
        env = Env();
        Assert.Equal(0x0040_0000UL, SimdFloat.Multiply(S, 0x0080_0000, 0x3F00_0000, env));
        Assert.Equal(0U, env.Flags);
        env = Env(ftz: true);
        Assert.Equal(0UL, SimdFloat.Multiply(S, 0x0080_0000, 0x3F00_0000, env));
        Assert.Equal(MxcsrBits.Underflow | MxcsrBits.Precision, env.Flags);
    }

    [Fact]
    public void DenormalsRaiseDeUnlessDazFlushesThem()
    {
        SimdFloatEnvironment env = Env();
        Assert.Equal(0x0000_0002UL, SimdFloat.Add(S, 1, 1, env));
        Assert.Equal(MxcsrBits.Denormal, env.Flags);
        env = Env(daz: true);
        Assert.Equal(0UL, SimdFloat.Add(S, 1, 1, env));
        Assert.Equal(0U, env.Flags);
    }

    [Fact]
    public void InvalidOperationsGiveTheDefaultNaNAndNaNsPropagateFromTheFirstOperand()
    {
        SimdFloatEnvironment env = Env();
        Assert.Equal(0xFFC0_0000UL, SimdFloat.Add(S, 0x7F80_0000, 0xFF80_0000, env));
        Assert.Equal(MxcsrBits.Invalid, env.Flags);
        Assert.Equal(0xFFF8_0000_0000_0000UL, SimdFloat.Multiply(D, 0, 0x7FF0_0000_0000_0000, Env()));
        Assert.Equal(0xFFC0_0000UL, SimdFloat.SquareRoot(S, 0xBF80_0000, Env()));

        env = Env();
        Assert.Equal(0x7FC0_0001UL, SimdFloat.Add(S, 0x7FC0_0001, 0x7F80_0002, env));
        Assert.Equal(MxcsrBits.Invalid, env.Flags);
        Assert.Equal(0x7FC0_0002UL, SimdFloat.Add(S, 0x3F80_0000, 0x7F80_0002, Env()));

        env = Env();
        Assert.Equal(0x7F80_0000UL, SimdFloat.Divide(S, 0x3F80_0000, 0, env));
        Assert.Equal(MxcsrBits.DivideByZero, env.Flags);
    }

    [Theory]
    [InlineData(SimdRounding.Nearest, 2, -2)]
    [InlineData(SimdRounding.Up, 3, -2)]
    [InlineData(SimdRounding.Down, 2, -3)]
    [InlineData(SimdRounding.TowardZero, 2, -2)]
    public void IntegerConversionRoundsByModeAndTruncates(SimdRounding mode, int positive, int negative)
    {
        Assert.Equal((ulong)(uint)positive, SimdFloat.ToInteger(D, BitConverter.DoubleToUInt64Bits(2.5), 32, false, Env(mode)));
        Assert.Equal((ulong)(uint)negative, SimdFloat.ToInteger(D, BitConverter.DoubleToUInt64Bits(-2.5), 32, false, Env(mode)));
        Assert.Equal(2UL, SimdFloat.ToInteger(D, BitConverter.DoubleToUInt64Bits(2.9), 32, true, Env(mode)));
    }

    [Fact]
    public void OutOfRangeConversionsGiveTheIntegerIndefinite()
    {
        SimdFloatEnvironment env = Env();
        Assert.Equal(0x8000_0000UL, SimdFloat.ToInteger(S, 0x4F00_0000, 32, false, env));
        Assert.Equal(MxcsrBits.Invalid, env.Flags);
        Assert.Equal(0x8000_0000UL, SimdFloat.ToInteger(S, 0xCF00_0000, 32, false, Env()));
        Assert.Equal(0x8000_0000_0000_0000UL, SimdFloat.ToInteger(D, 0x7FF8_0000_0000_0000, 64, true, Env()));
        Assert.Equal(0x8000_0000_0000_0000UL, SimdFloat.ToInteger(D, 0x47EF_FFFF_E000_0000, 64, true, Env()));
    }

    [Fact]
    public void SignalingNaNsAreQuietedAcrossFormats()
    {
        SimdFloatEnvironment env = Env();
        Assert.Equal(0x7FFC_0000_0000_0000UL, SimdFloat.Convert(S, D, 0x7FA0_0000, env));
        Assert.Equal(MxcsrBits.Invalid, env.Flags);
    }

    /// <summary>.NET arithmetic is the host's SSE in round-to-nearest: the soft float must agree bit for bit.</summary>
    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void AgreesWithTheHostInRoundToNearest()
    {
        var random = new Random(4242);
        int n = FuzzBudget.Iterations(20_000);
        for (int i = 0; i < n; i++)
        {
            double a = RandomDouble(random);
            double b = RandomDouble(random);
            ulong ba = BitConverter.DoubleToUInt64Bits(a);
            ulong bb = BitConverter.DoubleToUInt64Bits(b);
            if (double.IsNaN(a) || double.IsNaN(b))
            {
                continue;
            }

            Assert.Equal(BitConverter.DoubleToUInt64Bits(a + b), SimdFloat.Add(D, ba, bb, Env()));
            Assert.Equal(BitConverter.DoubleToUInt64Bits(a * b), SimdFloat.Multiply(D, ba, bb, Env()));
            Assert.Equal(BitConverter.DoubleToUInt64Bits(a / b), SimdFloat.Divide(D, ba, bb, Env()));
            Assert.Equal(BitConverter.DoubleToUInt64Bits(Math.Sqrt(Math.Abs(a))), SimdFloat.SquareRoot(D, ba & ~D.SignBit, Env()));

            float fa = (float)a;
            float fb = (float)b;
            uint sa = BitConverter.SingleToUInt32Bits(fa);
            uint sb = BitConverter.SingleToUInt32Bits(fb);
            if (!float.IsNaN(fa) && !float.IsNaN(fb))
            {
                Assert.Equal(BitConverter.SingleToUInt32Bits(fa + fb), (uint)SimdFloat.Add(S, sa, sb, Env()));
                Assert.Equal(BitConverter.SingleToUInt32Bits(fa * fb), (uint)SimdFloat.Multiply(S, sa, sb, Env()));
                Assert.Equal(BitConverter.SingleToUInt32Bits(fa / fb), (uint)SimdFloat.Divide(S, sa, sb, Env()));
                Assert.Equal(BitConverter.SingleToUInt32Bits(fa), (uint)SimdFloat.Convert(D, S, ba, Env()));
            }
        }
    }

    private static double RandomDouble(Random random) => random.Next(4) switch
    {
        0 => BitConverter.UInt64BitsToDouble((ulong)random.NextInt64() ^ ((ulong)(uint)random.Next(2) << 63)),
        1 => (random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-1080, 1030)),
        2 => BitConverter.UInt64BitsToDouble((uint)random.Next(1 << 20) + ((ulong)(uint)random.Next(2) << 63)),
        _ => random.Next(-1000, 1000) / (double)random.Next(1, 64),
    };
}
