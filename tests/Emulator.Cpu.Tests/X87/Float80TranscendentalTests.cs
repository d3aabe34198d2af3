using System.Numerics;

namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// The software transcendentals and their 128-bit working float on their own (no host): correctly rounded
/// values computed offline with 400-bit mpmath, the exact cases, and the working float's arithmetic against
/// exact rational arithmetic.
/// </summary>
public sealed class Float80TranscendentalTests
{
    private static Float80 F(int signExponent, ulong significand) => new() { SignExponent = (ushort)signExponent, Significand = significand };

    private static Float80 D(double value) => Float80Arithmetic.FromFloat64(BitConverter.DoubleToUInt64Bits(value), out _);

    public static TheoryData<string, double, double, int, ulong> KnownValues() => new()
    {
        { "sin", 1, 0, 0x3FFE, 0xD76AA47848677021 },
        { "cos", 1, 0, 0x3FFE, 0x8A51407DA8345C92 },
        { "tan", 0.5, 0, 0x3FFE, 0x8BDA7ADF9A3A5219 },
        { "f2xm1", 0.5, 0, 0x3FFD, 0xD413CCCFE7799211 },
        { "f2xm1", -0.25, 0, 0xBFFC, 0xA2EC0CD4A58A542F },
        { "fyl2x", 3, 1, 0x3FFF, 0xCAE00D1CFDEB43D0 },
        { "fyl2x", 1.25, 1, 0x3FFD, 0xA4D3C25E68DC57F2 },
        { "fyl2xp1", 0.125, 1, 0x3FFC, 0xAE00D1CFDEB43CFD },
        { "fpatan", 1, 1, 0x3FFE, 0xC90FDAA22168C235 },
        { "fpatan", -2, 1, 0x4000, 0xAB63739CBFAD72CC },
        { "fpatan", 0.5, -3, 0xBFFF, 0xB3EC431DE4CDE4C9 },

        // Reduced by the x87's 66-bit pi, not the true one (true sin(1e6) ends ...C33A4D).
        { "sin", 1e6, 0, 0xBFFD, 0xB332592B46C28C7F },
    };

    [Theory]
    [MemberData(nameof(KnownValues))]
    public void CorrectlyRounded(string function, double x, double y, int signExponent, ulong significand)
    {
        var status = new FloatStatus();
        Float80 result = function switch
        {
            "sin" => Float80Transcendental.Sin(D(x), status),
            "cos" => Float80Transcendental.Cos(D(x), status),
            "tan" => Float80Transcendental.Tan(D(x), status),
            "f2xm1" => Float80Transcendental.F2xm1(D(x), status),
            "fyl2x" => Float80Transcendental.Fyl2x(D(x), D(y), status),
            "fyl2xp1" => Float80Transcendental.Fyl2xp1(D(x), D(y), status),
            _ => Float80Transcendental.Fpatan(D(x), D(y), status),
        };
        Assert.Equal(F(signExponent, significand), result);
        Assert.Equal(FloatFlags.Inexact, status.Flags);
    }

    [Fact]
    public void SpecialCasesFollowTheTables()
    {
        var status = new FloatStatus();
        Assert.Equal(Float80Arithmetic.Zero(true), Float80Transcendental.Sin(Float80Arithmetic.Zero(true), status));
        Assert.Equal(Float80Arithmetic.One, Float80Transcendental.Cos(Float80Arithmetic.Zero(true), status));
        Assert.Equal(FloatFlags.None, status.Flags);

        Assert.Equal(Float80Arithmetic.Indefinite, Float80Transcendental.Sin(Float80Arithmetic.Infinity(false), status));
        Assert.Equal(FloatFlags.Invalid, status.Flags);

        status.Reset();
        Assert.Equal(Float80Arithmetic.Infinity(false), Float80Transcendental.Fyl2x(Float80Arithmetic.Zero(false), D(-2), status));
        Assert.Equal(FloatFlags.DivideByZero, status.Flags);

        status.Reset();
        Assert.Equal(Float80Arithmetic.Indefinite, Float80Transcendental.Fyl2x(D(-1), D(2), status));
        Assert.Equal(FloatFlags.Invalid, status.Flags);

        status.Reset();
        Float80 pi = Float80Transcendental.Fpatan(Float80Arithmetic.Zero(true), Float80Arithmetic.Zero(false), status);
        Assert.Equal(F(0x4000, 0xC90FDAA22168C235), pi);
        Assert.Equal(Float80Arithmetic.Zero(true), Float80Transcendental.Fpatan(Float80Arithmetic.Zero(false), Float80Arithmetic.Zero(true), status));
        Assert.Equal(Float80Arithmetic.Negate(Float80Arithmetic.One), Float80Transcendental.F2xm1(Float80Arithmetic.Infinity(true), status));
        Assert.True(Float80Transcendental.OutOfTrigRange(F(0x403E, 1UL << 63)));
        Assert.False(Float80Transcendental.OutOfTrigRange(F(0x403D, ulong.MaxValue)));
    }

    [Fact]
    public void RoundingModesBracketTheValue()
    {
        Float80 down = Float80Transcendental.Sin(D(1), new FloatStatus { Rounding = RoundingMode.Down });
        var upStatus = new FloatStatus { Rounding = RoundingMode.Up };
        Float80 up = Float80Transcendental.Sin(D(1), upStatus);
        Assert.Equal(down.Significand + 1, up.Significand);
        Assert.True(upStatus.RoundedUp);
    }

    [Fact]
    public void WideArithmeticIsWithinTwoUnits()
    {
        var random = new Random(128);
        for (int n = 0; n < 2000; n++)
        {
            WideFloat a = Random(random);
            WideFloat b = Random(random);
            (BigInteger an, BigInteger ad) = Exact(a);
            (BigInteger bn, BigInteger bd) = Exact(b);
            AssertClose((an * bn, ad * bd), a * b);
            AssertClose((an * bd + bn * ad, ad * bd), a + b);
            AssertClose((an * bd - bn * ad, ad * bd), a - b);
            AssertClose((an * bd, ad * bn), a / b);
        }
    }

    private static WideFloat Random(Random random)
    {
        UInt128 significand = new UInt128((ulong)random.NextInt64() | (1UL << 63), (ulong)random.NextInt64());
        return new WideFloat(random.Next(2) == 0, random.Next(-140, 140), significand);
    }

    /// <summary>The value as a fraction num / den.</summary>
    private static (BigInteger Num, BigInteger Den) Exact(WideFloat v)
    {
        BigInteger num = (BigInteger)v.Significand * (v.Sign ? -1 : 1);
        int power = v.Exponent - 127;
        return power >= 0 ? (num << power, BigInteger.One) : (num, BigInteger.One << -power);
    }

    private static void AssertClose((BigInteger Num, BigInteger Den) exact, WideFloat actual)
    {
        (BigInteger num, BigInteger den) = Exact(actual);

        // |actual - exact| <= 2 units of the last place of actual (truncation plus the sticky bit).
        BigInteger difference = BigInteger.Abs((num * exact.Den) - (exact.Num * den));
        BigInteger unit = BigInteger.Abs(exact.Den * den);
        int shift = actual.Exponent - 127;
        BigInteger bound = shift >= 0 ? (unit * 2) << shift : (unit * 2) >> -shift;
        Assert.True(actual.IsZero || difference <= bound, $"{actual} vs {exact.Num}/{exact.Den}");
    }

}
