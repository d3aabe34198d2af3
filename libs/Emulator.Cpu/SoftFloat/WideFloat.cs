using System.Numerics;

namespace Emulator.Cpu;

/// <summary>
/// A binary float with a 128-bit significand and an unbounded exponent: the working precision of the
/// x87 transcendentals. Twice the width of the 64-bit result leaves enough guard bits that rounding the
/// approximation gives the correctly rounded result except within about 2^-55 of a rounding boundary.
/// Value = (-1)^Sign * Significand * 2^(Exponent - 127); Significand has bit 127 set unless the value is zero.
/// Operations truncate (error under one unit of bit 0).
/// </summary>
public readonly record struct WideFloat(bool Sign, int Exponent, UInt128 Significand)
{
    private static readonly UInt128 TopBit = UInt128.One << 127;

    public static WideFloat Zero => default;

    public bool IsZero => Significand == UInt128.Zero;

    public static WideFloat FromInt(long value)
    {
        if (value == 0)
        {
            return Zero;
        }

        ulong magnitude = value < 0 ? (ulong)-value : (ulong)value;
        int lead = BitOperations.LeadingZeroCount(magnitude);
        return new(value < 0, 63 - lead, (UInt128)(magnitude << lead) << 64);
    }

    /// <summary>A finite Float80 (denormals included) exactly; the caller handles NaN and infinity.</summary>
    public static WideFloat FromFloat80(Float80 a)
    {
        if (Float80Arithmetic.IsZero(a))
        {
            return new(Float80Arithmetic.SignOf(a), 0, UInt128.Zero);
        }

        int exponent = Math.Max(Float80Arithmetic.ExponentOf(a), 1);
        int lead = BitOperations.LeadingZeroCount(a.Significand);
        return new(Float80Arithmetic.SignOf(a), exponent - lead - Float80Arithmetic.Bias, (UInt128)(a.Significand << lead) << 64);
    }

    /// <summary>The value read as significand * 2^(exponent - 127) with any nonzero significand (normalizes it).</summary>
    public static WideFloat Normalize(bool sign, int exponent, UInt128 significand)
    {
        if (significand == UInt128.Zero)
        {
            return new(sign, 0, UInt128.Zero);
        }

        int lead = (int)UInt128.LeadingZeroCount(significand);
        return new(sign, exponent - lead, significand << lead);
    }

    /// <summary>Rounds to an 80-bit value with 64 significand bits (transcendentals ignore precision control).</summary>
    public Float80 ToFloat80(FloatStatus status)
    {
        if (IsZero)
        {
            return Float80Arithmetic.Zero(Sign);
        }

        // Clamp so that absurd exponents still overflow/underflow instead of wrapping the int arithmetic.
        int exponent = Math.Clamp(Exponent, -0x20000, 0x20000) + Float80Arithmetic.Bias;
        ulong high = (ulong)(Significand >> 64);
        if (exponent == 0 && (status.Masked & FloatFlags.Underflow) == 0)
        {
            // Just below the smallest normal: if rounding to 64 bits (unbounded exponent) carries it up to the
            // smallest normal, the host reports no unmasked underflow (tininess after rounding).
            var probe = new FloatStatus { Rounding = status.Rounding };
            Float80 rounded = Float80Arithmetic.RoundAndPack(probe, Sign, exponent + Float80Arithmetic.BiasAdjust, high, (ulong)Significand);
            if (Float80Arithmetic.ExponentOf(rounded) == Float80Arithmetic.BiasAdjust + 1)
            {
                status.Raise(probe.Flags);
                status.RoundedUp |= probe.RoundedUp;
                return Float80Arithmetic.Pack(Sign, 1, Float80Arithmetic.IntegerBit);
            }
        }

        return Float80Arithmetic.RoundAndPack(status, Sign, exponent, high, (ulong)Significand);
    }

    public WideFloat Negate() => this with { Sign = !Sign };

    public WideFloat Abs() => this with { Sign = false };

    public WideFloat Scale(int power) => IsZero ? this : this with { Exponent = Exponent + power };

    public static WideFloat operator -(WideFloat a) => a.Negate();

    public static WideFloat operator *(WideFloat a, WideFloat b)
    {
        if (a.IsZero || b.IsZero)
        {
            return new(a.Sign ^ b.Sign, 0, UInt128.Zero);
        }

        UInt128 high = MultiplyHigh(a.Significand, b.Significand, out UInt128 low);
        int exponent = a.Exponent + b.Exponent;
        if (high < TopBit)
        {
            high = (high << 1) | (low >> 127);
            low <<= 1;
        }
        else
        {
            exponent++;
        }

        return new(a.Sign ^ b.Sign, exponent, Jam(high, low != UInt128.Zero));
    }

    public static WideFloat operator /(WideFloat a, WideFloat b)
    {
        if (b.IsZero)
        {
            throw new DivideByZeroException();
        }

        if (a.IsZero)
        {
            return new(a.Sign ^ b.Sign, 0, UInt128.Zero);
        }

        // Restoring division, one quotient bit per step; the remainder stays below the divisor, so its
        // doubling needs one bit beyond 128, kept in `carry`.
        UInt128 remainder = a.Significand;
        UInt128 divisor = b.Significand;
        int exponent = a.Exponent - b.Exponent;
        if (remainder < divisor)
        {
            // The leading quotient bit comes from 2a - b, which fits although 2a does not (a has bit 127 set).
            exponent--;
            remainder = (remainder << 1) - divisor;
        }
        else
        {
            remainder -= divisor;
        }

        UInt128 quotient = UInt128.One;
        for (int bit = 0; bit < 127; bit++)
        {
            bool carry = remainder >= TopBit;
            remainder <<= 1;
            quotient <<= 1;
            if (carry || remainder >= divisor)
            {
                remainder -= divisor;
                quotient |= UInt128.One;
            }
        }

        return new(a.Sign ^ b.Sign, exponent, Jam(quotient, remainder != UInt128.Zero));
    }

    public static WideFloat operator +(WideFloat a, WideFloat b)
    {
        if (a.IsZero)
        {
            return b;
        }

        if (b.IsZero)
        {
            return a;
        }

        if (a.Exponent < b.Exponent || (a.Exponent == b.Exponent && a.Significand < b.Significand))
        {
            (a, b) = (b, a);
        }

        int shift = a.Exponent - b.Exponent;
        UInt128 small = shift >= 128 ? UInt128.Zero : b.Significand >> shift;
        bool lost = shift >= 128 || (shift != 0 && (b.Significand << (128 - shift)) != UInt128.Zero);
        if (a.Sign == b.Sign)
        {
            UInt128 sum = a.Significand + small;
            if (sum < a.Significand)
            {
                // Carry out of bit 127: the sum is 2^128 + sum.
                return new(a.Sign, a.Exponent + 1, Jam((sum >> 1) | TopBit, lost || (sum & UInt128.One) != UInt128.Zero));
            }

            return new(a.Sign, a.Exponent, Jam(sum, lost));
        }

        // A lost part of the subtrahend leaves the exact difference just below the truncated one.
        UInt128 difference = a.Significand - small;
        if (lost)
        {
            difference = (difference - UInt128.One) | UInt128.One;
        }

        return Normalize(a.Sign, a.Exponent, difference);
    }

    public static WideFloat operator -(WideFloat a, WideFloat b) => a + b.Negate();

    /// <summary>Whether |a| &lt; |b|.</summary>
    public static bool MagnitudeLess(WideFloat a, WideFloat b) =>
        !b.IsZero && (a.IsZero || a.Exponent < b.Exponent || (a.Exponent == b.Exponent && a.Significand < b.Significand));

    /// <summary>Marks a truncated value inexact in bit 0 so that rounding never mistakes it for an exact one.</summary>
    private static UInt128 Jam(UInt128 value, bool lost) => lost ? value | UInt128.One : value;

    private static UInt128 MultiplyHigh(UInt128 a, UInt128 b, out UInt128 low)
    {
        ulong a1 = (ulong)(a >> 64);
        ulong a0 = (ulong)a;
        ulong b1 = (ulong)(b >> 64);
        ulong b0 = (ulong)b;
        UInt128 p00 = Math.BigMul(a0, b0);
        UInt128 p01 = Math.BigMul(a0, b1);
        UInt128 p10 = Math.BigMul(a1, b0);
        UInt128 p11 = Math.BigMul(a1, b1);
        UInt128 middle = (p00 >> 64) + (ulong)p01 + (ulong)p10;
        low = (middle << 64) | (ulong)p00;
        return p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64);
    }
}
