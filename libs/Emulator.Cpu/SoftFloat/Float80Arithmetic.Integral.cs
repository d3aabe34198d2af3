namespace Emulator.Cpu;

public static partial class Float80Arithmetic
{
    /// <summary>FRNDINT: rounds to an integral value by the rounding mode (no precision control).</summary>
    public static Float80 RoundToIntegral(Float80 a, FloatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (TryPropagateNaN(status, a, out Float80 nan))
        {
            return nan;
        }

        if (IsInfinity(a) || IsZero(a))
        {
            return a;
        }

        RaiseDenormal(status, a, a, false);
        bool sign = SignOf(a);
        (int e, ulong m) = Normalize(a);
        if (e >= Bias + 63)
        {
            return Pack(sign, e, m);
        }

        (ulong integer, bool inexact, bool up) = RoundInteger(status.Rounding, sign, e, m);
        if (inexact)
        {
            status.Raise(FloatFlags.Inexact);
        }

        if (up)
        {
            status.RoundedUp = true;
        }

        return integer == 0 ? Zero(sign) : FromUInt64(sign, integer);
    }

    /// <summary>The magnitude of a finite normalized value below 2^63 rounded to an integer, by <paramref name="mode"/>.</summary>
    private static (ulong Value, bool Inexact, bool Up) RoundInteger(RoundingMode mode, bool sign, int e, ulong m)
    {
        int shift = Bias + 63 - e;
        ulong integer;
        ulong fraction;
        if (shift <= 0)
        {
            return (m << -shift, false, false);
        }

        if (shift < 64)
        {
            integer = m >> shift;
            fraction = m << (64 - shift);
        }
        else
        {
            integer = 0;
            fraction = shift == 64 ? m : 1;
        }

        if (fraction == 0)
        {
            return (integer, false, false);
        }

        bool increment = mode switch
        {
            RoundingMode.NearestEven => fraction > IntegerBit || (fraction == IntegerBit && (integer & 1) != 0),
            RoundingMode.Up => !sign,
            RoundingMode.Down => sign,
            _ => false,
        };
        return (increment ? integer + 1 : integer, true, increment);
    }

    /// <summary>The exact extended value of an unsigned magnitude with a sign.</summary>
    public static Float80 FromUInt64(bool sign, ulong magnitude)
    {
        if (magnitude == 0)
        {
            return Zero(sign);
        }

        int shift = System.Numerics.BitOperations.LeadingZeroCount(magnitude);
        return Pack(sign, Bias + 63 - shift, magnitude << shift);
    }

    public static Float80 FromInt64(long value) =>
        FromUInt64(value < 0, value < 0 ? (ulong)-(Int128)value : (ulong)value);

    /// <summary>
    /// FIST/FISTTP: the value as a signed integer of <paramref name="bits"/> (16, 32, 64) bits, rounded by the
    /// mode or truncated. NaNs, infinities, unsupported formats and out-of-range values raise IE and give the
    /// integer indefinite (the most negative value).
    /// </summary>
    public static long ToInt(Float80 a, int bits, FloatStatus status, bool truncate = false)
    {
        ArgumentNullException.ThrowIfNull(status);
        long indefinite = bits == 64 ? long.MinValue : -(1L << (bits - 1));
        if (IsUnsupported(a) || IsNaN(a) || IsInfinity(a))
        {
            status.Raise(FloatFlags.Invalid);
            return indefinite;
        }

        if (IsZero(a))
        {
            return 0;
        }

        bool sign = SignOf(a);
        (int e, ulong m) = Normalize(a);
        if (e >= Bias + 64)
        {
            status.Raise(FloatFlags.Invalid);
            return indefinite;
        }

        (ulong magnitude, bool inexact, bool up) = e == Bias + 63
            ? (m, false, false)
            : RoundInteger(truncate ? RoundingMode.TowardZero : status.Rounding, sign, e, m);
        ulong limit = sign ? 1UL << (bits - 1) : (1UL << (bits - 1)) - 1;
        if (magnitude > limit)
        {
            status.Raise(FloatFlags.Invalid);
            return indefinite;
        }

        if (inexact)
        {
            status.Raise(FloatFlags.Inexact);
        }

        if (up)
        {
            status.RoundedUp = true;
        }

        return sign ? (long)(0 - magnitude) : (long)magnitude;
    }
}
