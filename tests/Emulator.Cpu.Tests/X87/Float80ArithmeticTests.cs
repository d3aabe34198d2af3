namespace Emulator.Cpu.Tests.X87;

/// <summary>Edge cases of the software extended float, checked against values worked out by hand from the SDM.</summary>
public sealed class Float80ArithmeticTests
{
    private static Float80 F(int signExponent, ulong significand) => new() { SignExponent = (ushort)signExponent, Significand = significand };

    private static readonly Float80 One = F(0x3FFF, 0x8000_0000_0000_0000);
    private static readonly Float80 Two = F(0x4000, 0x8000_0000_0000_0000);
    private static readonly Float80 Three = F(0x4000, 0xC000_0000_0000_0000);
    private static readonly Float80 SmallestDenormal = F(0, 1);
    private static readonly Float80 QNaN = F(0x7FFF, 0xC000_0000_0000_0001);
    private static readonly Float80 SNaN = F(0x7FFF, 0x8000_0000_0000_0001);

    private static FloatStatus Status(RoundingMode mode = RoundingMode.NearestEven, PrecisionControl precision = PrecisionControl.Extended) =>
        new() { Rounding = mode, Precision = precision };

    [Fact]
    public void OnePlusOneIsTwoExactly()
    {
        FloatStatus s = Status();
        Assert.Equal(Two, Float80Arithmetic.Add(One, One, s));
        Assert.Equal(FloatFlags.None, s.Flags);
    }

    [Theory]
    [InlineData(RoundingMode.NearestEven, 0xAAAA_AAAA_AAAA_AAABUL, true)]
    [InlineData(RoundingMode.Down, 0xAAAA_AAAA_AAAA_AAAAUL, false)]
    [InlineData(RoundingMode.TowardZero, 0xAAAA_AAAA_AAAA_AAAAUL, false)]
    [InlineData(RoundingMode.Up, 0xAAAA_AAAA_AAAA_AAABUL, true)]
    public void TwoThirdsRoundsByMode(RoundingMode mode, ulong significand, bool up)
    {
        FloatStatus s = Status(mode);
        Float80 result = Float80Arithmetic.Divide(Two, Three, s);
        Assert.Equal(F(0x3FFE, significand), result);
        Assert.Equal(FloatFlags.Inexact, s.Flags);
        Assert.Equal(up, s.RoundedUp);
    }

    [Fact]
    public void PrecisionControlRoundsTheSignificandButKeepsTheExponentRange()
    {
        FloatStatus s = Status(precision: PrecisionControl.Single);
        Float80 result = Float80Arithmetic.Divide(One, Three, s);
        Assert.Equal(F(0x3FFD, 0xAAAA_AB00_0000_0000), result);

        // 2^-16000 squared is far below binary32's range but representable with PC=24.
        Float80 tiny = F(0x3FFF - 8000, 0x8000_0000_0000_0000);
        s = Status(precision: PrecisionControl.Single);
        Assert.Equal(F(0x3FFF - 16000, 0x8000_0000_0000_0000), Float80Arithmetic.Multiply(tiny, tiny, s));
        Assert.Equal(FloatFlags.None, s.Flags);
    }

    [Fact]
    public void InfinityMinusInfinityIsTheIndefinite()
    {
        FloatStatus s = Status();
        Float80 inf = Float80Arithmetic.Infinity(false);
        Assert.Equal(Float80Arithmetic.Indefinite, Float80Arithmetic.Subtract(inf, inf, s));
        Assert.Equal(FloatFlags.Invalid, s.Flags);
        Assert.Equal(F(0xFFFF, 0xC000_0000_0000_0000), Float80Arithmetic.Indefinite);
    }

    [Fact]
    public void DivideByZeroGivesSignedInfinity()
    {
        FloatStatus s = Status();
        Assert.Equal(Float80Arithmetic.Infinity(true), Float80Arithmetic.Divide(Float80Arithmetic.Negate(One), Float80Arithmetic.Zero(false), s));
        Assert.Equal(FloatFlags.DivideByZero, s.Flags);
    }

    [Fact]
    public void NaNPropagationFollowsTable4_7()
    {
        FloatStatus s = Status();
        Assert.Equal(QNaN, Float80Arithmetic.Add(SNaN, QNaN, s));
        Assert.Equal(FloatFlags.Invalid, s.Flags);

        s = Status();
        Assert.Equal(Float80Arithmetic.Quiet(SNaN), Float80Arithmetic.Multiply(One, SNaN, s));
        Assert.Equal(FloatFlags.Invalid, s.Flags);

        Float80 larger = F(0x7FFF, 0xC000_0000_0000_0002);
        s = Status();
        Assert.Equal(Float80Arithmetic.Negate(larger), Float80Arithmetic.Add(QNaN, Float80Arithmetic.Negate(larger), s));
        Assert.Equal(FloatFlags.None, s.Flags);

        // Equal significands: the positive one.
        Assert.Equal(QNaN, Float80Arithmetic.PickNaN(Float80Arithmetic.Negate(QNaN), QNaN));
    }

    [Fact]
    public void UnsupportedFormatsAreInvalid()
    {
        Float80 unnormal = F(0x3FFF, 0x4000_0000_0000_0000);
        FloatStatus s = Status();
        Assert.Equal(Float80Arithmetic.Indefinite, Float80Arithmetic.Add(unnormal, One, s));
        Assert.Equal(FloatFlags.Invalid, s.Flags);
        Assert.Equal(FloatRelation.Unordered, Float80Arithmetic.Compare(F(0x7FFF, 0), One, s, signaling: false));
    }

    [Fact]
    public void DenormalOperandsRaiseDeAndPseudoDenormalsAreNormalized()
    {
        FloatStatus s = Status();
        Assert.Equal(F(0, 2), Float80Arithmetic.Add(SmallestDenormal, SmallestDenormal, s));
        Assert.Equal(FloatFlags.Denormal, s.Flags);

        Float80 pseudo = F(0, 0x8000_0000_0000_0000);
        s = Status();
        Assert.Equal(F(1, 0x8000_0000_0000_0000), Float80Arithmetic.Add(pseudo, Float80Arithmetic.Zero(false), s));
        Assert.Equal(FloatFlags.Denormal, s.Flags);
    }

    [Fact]
    public void MaskedUnderflowNeedsInexactAndUnmaskedAdjustsTheBias()
    {
        Float80 half = F(0x3FFE, 0x8000_0000_0000_0000);
        FloatStatus s = Status();
        Assert.Equal(F(0, 0x4000_0000_0000_0000), Float80Arithmetic.Multiply(F(1, 0x8000_0000_0000_0000), half, s));
        Assert.Equal(FloatFlags.None, s.Flags);

        s = Status();
        s.Masked = FloatFlags.All & ~FloatFlags.Underflow;
        Assert.Equal(F(0x6000, 0x8000_0000_0000_0000), Float80Arithmetic.Multiply(F(1, 0x8000_0000_0000_0000), half, s));
        Assert.Equal(FloatFlags.Underflow, s.Flags);
    }

    [Theory]
    [InlineData(RoundingMode.NearestEven, 0x7FFF, 0x8000_0000_0000_0000UL)]
    [InlineData(RoundingMode.TowardZero, 0x7FFE, 0xFFFF_FFFF_FFFF_FFFFUL)]
    [InlineData(RoundingMode.Down, 0x7FFE, 0xFFFF_FFFF_FFFF_FFFFUL)]
    [InlineData(RoundingMode.Up, 0x7FFF, 0x8000_0000_0000_0000UL)]
    public void OverflowDependsOnRounding(RoundingMode mode, int exponent, ulong significand)
    {
        FloatStatus s = Status(mode);
        Float80 max = F(0x7FFE, 0xFFFF_FFFF_FFFF_FFFF);
        Assert.Equal(F(exponent, significand), Float80Arithmetic.Multiply(max, Two, s));
        Assert.Equal(FloatFlags.Overflow | FloatFlags.Inexact, s.Flags);
    }

    [Fact]
    public void SquareRootIsCorrectlyRounded()
    {
        FloatStatus s = Status();
        Assert.Equal(Two, Float80Arithmetic.SquareRoot(F(0x4001, 0x8000_0000_0000_0000), s));
        Assert.Equal(FloatFlags.None, s.Flags);
        Assert.Equal(F(0x3FFF, 0xB504_F333_F9DE_6484), Float80Arithmetic.SquareRoot(Two, s));
        Assert.Equal(FloatFlags.Inexact, s.Flags);

        s = Status();
        Assert.Equal(Float80Arithmetic.Indefinite, Float80Arithmetic.SquareRoot(Float80Arithmetic.Negate(One), s));
        Assert.Equal(F(0x8000, 0), Float80Arithmetic.SquareRoot(F(0x8000, 0), s));
    }

    [Theory]
    [InlineData(RoundingMode.NearestEven, 2.0)]
    [InlineData(RoundingMode.Down, 2.0)]
    [InlineData(RoundingMode.Up, 3.0)]
    [InlineData(RoundingMode.TowardZero, 2.0)]
    public void RoundToIntegralTiesToEven(RoundingMode mode, double expected)
    {
        FloatStatus s = Status(mode);
        Float80 twoAndHalf = F(0x4000, 0xA000_0000_0000_0000);
        Float80 result = Float80Arithmetic.RoundToIntegral(twoAndHalf, s);
        Assert.Equal(BitConverter.DoubleToUInt64Bits(expected), Float80Arithmetic.ToFloat64(result, Status()));
        Assert.Equal(FloatFlags.Inexact, s.Flags);
    }

    [Fact]
    public void IntegerConversionsSaturateToTheIndefinite()
    {
        FloatStatus s = Status();
        Assert.Equal(short.MinValue, Float80Arithmetic.ToInt(F(0x400E, 0x8000_0000_0000_0000), 16, s));
        Assert.Equal(FloatFlags.Invalid, s.Flags);

        s = Status();
        Assert.Equal(short.MinValue, Float80Arithmetic.ToInt(F(0xC00E, 0x8000_0000_0000_0000), 16, s));
        Assert.Equal(FloatFlags.None, s.Flags);

        s = Status();
        Assert.Equal(-2, Float80Arithmetic.ToInt(F(0xC000, 0xA000_0000_0000_0000), 32, s, truncate: true));
        Assert.Equal(long.MinValue, Float80Arithmetic.ToInt(QNaN, 64, s));
        Assert.Equal(Float80Arithmetic.FromInt64(long.MinValue), F(0xC03E, 0x8000_0000_0000_0000));
    }

    [Fact]
    public void BinaryConversionsRoundAndReportUnderflow()
    {
        FloatStatus s = Status();
        Assert.Equal(0x3EAA_AAABu, Float80Arithmetic.ToFloat32(Float80Arithmetic.Divide(One, Three, Status()), s));
        Assert.Equal(FloatFlags.Inexact, s.Flags);

        // Half the smallest binary64 denormal rounds to even (zero), tiny and inexact.
        s = Status();
        Assert.Equal(0UL, Float80Arithmetic.ToFloat64(F(0x3FFF - 1075, 0x8000_0000_0000_0000), s));
        Assert.Equal(FloatFlags.Underflow | FloatFlags.Inexact, s.Flags);

        s = Status();
        Assert.Equal(0x7FC0_0001u, Float80Arithmetic.ToFloat32(F(0x7FFF, 0x8000_0100_0000_0000), s));
        Assert.Equal(FloatFlags.Invalid, s.Flags);

        Float80 back = Float80Arithmetic.FromFloat32(1, out bool denormal);
        Assert.True(denormal);
        Assert.Equal(F(0x3FFF - 149, 0x8000_0000_0000_0000), back);
    }

    [Fact]
    public void ComparisonsTreatZerosAsEqualAndNaNsAsUnordered()
    {
        FloatStatus s = Status();
        Assert.Equal(FloatRelation.Equal, Float80Arithmetic.Compare(F(0, 0), F(0x8000, 0), s, signaling: true));
        Assert.Equal(FloatRelation.Less, Float80Arithmetic.Compare(F(0, 0x8000_0000_0000_0000), F(1, 0x8000_0000_0000_0001), s, signaling: true));
        Assert.Equal(FloatFlags.Denormal, s.Flags);

        s = Status();
        Assert.Equal(FloatRelation.Unordered, Float80Arithmetic.Compare(QNaN, One, s, signaling: false));
        Assert.Equal(FloatFlags.None, s.Flags);
        Assert.Equal(FloatRelation.Unordered, Float80Arithmetic.Compare(QNaN, One, s, signaling: true));
        Assert.Equal(FloatFlags.Invalid, s.Flags);
    }

    [Fact]
    public void RemainderReportsQuotientBits()
    {
        FloatStatus s = Status();
        Float80 seven = Float80Arithmetic.FromInt64(7);
        Float80 r = Float80Arithmetic.Remainder(seven, Two, nearest: false, s, out int q, out bool incomplete);
        Assert.Equal(One, r);
        Assert.Equal(3, q);
        Assert.False(incomplete);

        r = Float80Arithmetic.Remainder(seven, Two, nearest: true, s, out q, out _);
        Assert.Equal(Float80Arithmetic.Negate(One), r);
        Assert.Equal(4, q);

        Float80 huge = F(0x3FFF + 100, 0x8000_0000_0000_0000);
        Float80 partial = Float80Arithmetic.Remainder(huge, Three, nearest: false, s, out _, out incomplete);
        Assert.True(incomplete);
        Assert.True(Float80Arithmetic.ExponentOf(partial) < Float80Arithmetic.ExponentOf(huge));
    }
}
