using System.Numerics;

namespace Emulator.Cpu;

public static partial class Float80Transcendental
{
    /// <summary>Whether FSIN/FCOS/FSINCOS/FPTAN leave this finite operand unchanged and set C2 (|x| &gt;= 2^63).</summary>
    public static bool OutOfTrigRange(Float80 a) =>
        !Float80Arithmetic.IsNaN(a) && !Float80Arithmetic.IsInfinity(a) && !Float80Arithmetic.IsUnsupported(a)
        && Float80Arithmetic.ExponentOf(a) >= Float80Arithmetic.Bias + 63;

    public static Float80 Sin(Float80 a, FloatStatus status)
    {
        SinCos(a, status, out Float80 sin, out _, sinOnly: true);
        return sin;
    }

    public static Float80 Cos(Float80 a, FloatStatus status)
    {
        SinCos(a, status, out _, out Float80 cos, cosOnly: true);
        return cos;
    }

    /// <summary>FPTAN's tan(x) (the caller pushes the 1.0).</summary>
    public static Float80 Tan(Float80 a, FloatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (TrigSpecial(a, status, out Float80 special, out _))
        {
            return special;
        }

        (WideFloat r, int quadrant) = Reduce(WideFloat.FromFloat80(a).Abs());
        WideFloat tan;
        if (r.Exponent < -40)
        {
            // Two series terms: a quotient of two nearly-1 sums would lose the sign of the tiny remainder.
            tan = (quadrant & 1) == 0
                ? r + (r * r * r / WideFloat.FromInt(3))
                : -((WideConstants.One / r) - (r / WideFloat.FromInt(3)));
        }
        else
        {
            WideFloat s = SinSeries(r);
            WideFloat c = CosSeries(r);
            tan = (quadrant & 1) == 0 ? s / c : -(c / s);
        }

        return (Float80Arithmetic.SignOf(a) ? -tan : tan).ToFloat80(status);
    }

    /// <summary>
    /// sin and cos of an operand below 2^63 in magnitude (checked by the caller with <see cref="OutOfTrigRange"/>).
    /// Both roundings report their flags into <paramref name="status"/>; its round-up indication (FSINCOS's C1) is
    /// the sine's, as on the host.
    /// </summary>
    public static void SinCos(Float80 a, FloatStatus status, out Float80 sin, out Float80 cos) =>
        SinCos(a, status, out sin, out cos, false, false);

    private static void SinCos(Float80 a, FloatStatus status, out Float80 sin, out Float80 cos, bool sinOnly = false, bool cosOnly = false)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (TrigSpecial(a, status, out sin, out cos))
        {
            return;
        }

        (WideFloat s, WideFloat c) = Evaluate(a);
        sin = cosOnly ? default : s.ToFloat80(status);
        bool sinRoundedUp = status.RoundedUp;
        status.RoundedUp = false;
        cos = sinOnly ? default : c.ToFloat80(status);

        // FSINCOS reports in C1 how the sine (the new ST1) was rounded, as the host does.
        status.RoundedUp = cosOnly ? status.RoundedUp : sinRoundedUp;
    }

    /// <summary>NaNs, infinities (invalid) and zeros (sin = tan = the zero, cos = 1, exactly).</summary>
    private static bool TrigSpecial(Float80 a, FloatStatus status, out Float80 sin, out Float80 cos)
    {
        if (TryNaN(a, status, out Float80 nan))
        {
            sin = nan;
            cos = nan;
            return true;
        }

        if (Float80Arithmetic.IsInfinity(a))
        {
            sin = Invalid(status);
            cos = sin;
            return true;
        }

        if (Float80Arithmetic.IsZero(a))
        {
            sin = a;
            cos = Float80Arithmetic.One;
            return true;
        }

        sin = default;
        cos = default;
        return false;
    }

    /// <summary>sin and cos of a finite nonzero operand, after reduction by the x87's 66-bit pi.</summary>
    private static (WideFloat Sin, WideFloat Cos) Evaluate(Float80 a)
    {
        (WideFloat r, int quadrant) = Reduce(WideFloat.FromFloat80(a).Abs());
        WideFloat s = SinSeries(r);
        WideFloat c = CosSeries(r);
        (WideFloat sin, WideFloat cos) = quadrant switch
        {
            0 => (s, c),
            1 => (c, -s),
            2 => (-s, -c),
            _ => (-c, s),
        };
        return (Float80Arithmetic.SignOf(a) ? -sin : sin, cos);
    }

    /// <summary>
    /// x - k * pi66/2 with k the nearest integer, computed exactly in fixed point (x &lt; 2^63 has 64 bits, pi66/2
    /// has 68, so 192 fraction bits hold every product), and k mod 4.
    /// </summary>
    private static (WideFloat Reduced, int Quadrant) Reduce(WideFloat x)
    {
        if (x.Exponent < -1)
        {
            return (x, 0);
        }

        const int fraction = 192;
        BigInteger value = (BigInteger)x.Significand << (x.Exponent - 127 + fraction);
        BigInteger halfPi = (BigInteger)WideConstants.ReductionPi << (fraction - WideConstants.ReductionPiScale - 1);
        BigInteger k = ((value << 1) + halfPi) / (halfPi << 1);
        BigInteger rest = value - (k * halfPi);
        int quadrant = (int)(k & 3);

        // Never zero: pi66/2 has 66 significant bits, so no nonzero multiple of it fits in x's 64 (and Tan divides by sin(rest)).
        if (rest.IsZero)
        {
            return (WideFloat.Zero, quadrant);
        }

        bool negative = rest.Sign < 0;
        BigInteger magnitude = BigInteger.Abs(rest);
        int length = (int)magnitude.GetBitLength();
        UInt128 top = length > 128 ? (UInt128)(magnitude >> (length - 128)) : (UInt128)magnitude << (128 - length);
        return (new WideFloat(negative, length - 1 - fraction, top), quadrant);
    }

    /// <summary>sin(r) = r - r^3/3! + ..., |r| &lt;= 0.79 (about 30 terms).</summary>
    private static WideFloat SinSeries(WideFloat r)
    {
        if (r.IsZero)
        {
            return r;
        }

        WideFloat sum = r;
        WideFloat term = r;
        WideFloat square = -(r * r);
        for (int n = 2; n < 200; n += 2)
        {
            term = term * square / WideFloat.FromInt(n * (n + 1));
            sum += term;
            if (Negligible(term, sum))
            {
                break;
            }
        }

        return sum;
    }

    /// <summary>cos(r) = 1 - r^2/2! + ..., |r| &lt;= 0.79.</summary>
    private static WideFloat CosSeries(WideFloat r)
    {
        WideFloat sum = WideConstants.One;
        WideFloat term = sum;
        WideFloat square = -(r * r);
        for (int n = 1; n < 200; n += 2)
        {
            term = term * square / WideFloat.FromInt(n * (n + 1));
            sum += term;
            if (Negligible(term, sum))
            {
                break;
            }
        }

        return sum;
    }
}
