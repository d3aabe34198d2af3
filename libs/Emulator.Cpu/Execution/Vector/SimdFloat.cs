using System.Numerics;

namespace Emulator.Cpu;

/// <summary>
/// Exact IEEE 754 arithmetic on raw binary32/binary64 bits in all four rounding modes, with x86 SSE semantics:
/// DAZ on inputs, FTZ and after-rounding tininess on results, the MXCSR exception flags, the default NaN
/// for invalid operations and NaN propagation by the first operand. Each operation forms its exact result
/// as sign x significand x 2^exponent (plus a sticky bit for discarded nonzero bits) and rounds once.
/// </summary>
public static class SimdFloat
{
    /// <summary>The operand after DAZ; raises DE for a denormal that is not flushed.</summary>
    public static ulong Input(SimdFloatFormat f, ulong bits, SimdFloatEnvironment env)
    {
        if (f.IsDenormal(bits))
        {
            if (env.DenormalsAreZero)
            {
                return bits & f.SignBit;
            }

            env.Raise(MxcsrBits.Denormal);
        }

        return bits;
    }

    /// <summary>The operand after DAZ, raising nothing.</summary>
    public static ulong Flush(SimdFloatFormat f, ulong bits, SimdFloatEnvironment env) =>
        env.DenormalsAreZero && f.IsDenormal(bits) ? bits & f.SignBit : bits;

    /// <summary>NaN operands of a two-operand arithmetic operation: IE for an SNaN, the first NaN (quieted) is the result.</summary>
    public static bool TryPropagateNaN(SimdFloatFormat f, ulong a, ulong b, SimdFloatEnvironment env, out ulong result)
    {
        bool aNaN = f.IsNaN(a);
        bool bNaN = f.IsNaN(b);
        result = 0;
        if (!aNaN && !bNaN)
        {
            return false;
        }

        if (f.IsSignalingNaN(a) || f.IsSignalingNaN(b))
        {
            env.Raise(MxcsrBits.Invalid);
        }

        result = (aNaN ? a : b) | f.QuietBit;
        return true;
    }

    /// <summary>An exactly representable result: only FTZ applies (a denormal result flushes to zero with UE and PE).</summary>
    public static ulong Exact(SimdFloatFormat f, ulong bits, SimdFloatEnvironment env)
    {
        if (f.IsDenormal(bits) && !env.UnderflowMasked)
        {
            env.Raise(MxcsrBits.Underflow);
        }

        if (env.FlushToZero && env.UnderflowMasked && f.IsDenormal(bits))
        {
            env.Raise(MxcsrBits.Underflow | MxcsrBits.Precision);
            return bits & f.SignBit;
        }

        return bits;
    }

    /// <summary>The significand with the hidden bit and the exponent of its least significant bit (unbiased).</summary>
    private static (UInt128 Significand, int Exponent) Unpack(SimdFloatFormat f, ulong bits)
    {
        int biased = f.BiasedExponent(bits);
        ulong fraction = bits & f.FractionMask;
        return biased == 0
            ? (fraction, 1 - f.Bias - f.FractionBits)
            : (fraction | (1UL << f.FractionBits), biased - f.Bias - f.FractionBits);
    }

    public static ulong Add(SimdFloatFormat f, ulong a, ulong b, SimdFloatEnvironment env, bool subtract = false)
    {
        if (subtract && !f.IsNaN(b))
        {
            b ^= f.SignBit;
        }

        // A NaN second operand keeps its sign when subtracting: x86 returns the NaN as it is.
        if (TryPropagateNaN(f, a, b, env, out ulong nan))
        {
            return nan;
        }

        a = Input(f, a, env);
        b = Input(f, b, env);
        bool signA = f.IsNegative(a);
        bool signB = f.IsNegative(b);
        if (f.IsInfinity(a) || f.IsInfinity(b))
        {
            if (f.IsInfinity(a) && f.IsInfinity(b) && signA != signB)
            {
                env.Raise(MxcsrBits.Invalid);
                return f.DefaultNaN;
            }

            return f.IsInfinity(a) ? a : b;
        }

        if (f.IsZero(a) && f.IsZero(b))
        {
            return signA == signB ? a : f.Zero(env.Mode == SimdRounding.Down);
        }

        if (f.IsZero(a))
        {
            return Exact(f, b, env);
        }

        if (f.IsZero(b))
        {
            return Exact(f, a, env);
        }

        (UInt128 sa, int ea) = Unpack(f, a);
        (UInt128 sb, int eb) = Unpack(f, b);
        if (ea < eb || (ea == eb && sa < sb))
        {
            (sa, ea, sb, eb, signA, signB) = (sb, eb, sa, ea, signB, signA);
        }

        // Now |a| >= |b| (as far as the exponent goes). Align b to a, keeping at most 66 guard bits.
        int difference = ea - eb;
        bool sticky = false;
        int exponent;
        if (difference <= 66)
        {
            sa <<= difference;
            exponent = eb;
        }
        else
        {
            sa <<= 66;
            exponent = ea - 66;
            sb = 0;
            sticky = true;
        }

        UInt128 sum;
        if (signA == signB)
        {
            sum = sa + sb;
        }
        else
        {
            // |a| > |b| here unless equal magnitudes; a discarded tiny b is one unit borrowed plus a sticky remainder.
            if (sa == sb && !sticky)
            {
                return f.Zero(env.Mode == SimdRounding.Down);
            }

            sum = sticky ? sa - 1 : sa - sb;
        }

        return Round(f, signA, sum, exponent, sticky, env);
    }

    public static ulong Multiply(SimdFloatFormat f, ulong a, ulong b, SimdFloatEnvironment env)
    {
        if (TryPropagateNaN(f, a, b, env, out ulong nan))
        {
            return nan;
        }

        a = Input(f, a, env);
        b = Input(f, b, env);
        bool sign = f.IsNegative(a) != f.IsNegative(b);
        if (f.IsInfinity(a) || f.IsInfinity(b))
        {
            if (f.IsZero(a) || f.IsZero(b))
            {
                env.Raise(MxcsrBits.Invalid);
                return f.DefaultNaN;
            }

            return f.Infinity(sign);
        }

        if (f.IsZero(a) || f.IsZero(b))
        {
            return f.Zero(sign);
        }

        (UInt128 sa, int ea) = Unpack(f, a);
        (UInt128 sb, int eb) = Unpack(f, b);
        return Round(f, sign, sa * sb, ea + eb, false, env);
    }

    public static ulong Divide(SimdFloatFormat f, ulong a, ulong b, SimdFloatEnvironment env)
    {
        if (TryPropagateNaN(f, a, b, env, out ulong nan))
        {
            return nan;
        }

        // A zero divisor (after DAZ) decides the result before the denormal check: x/0 raises ZE but not DE.
        if (f.IsZero(Flush(f, b, env)))
        {
            bool zeroSign = f.IsNegative(a) != f.IsNegative(b);
            if (f.IsZero(Flush(f, a, env)))
            {
                env.Raise(MxcsrBits.Invalid);
                return f.DefaultNaN;
            }

            if (f.IsInfinity(a))
            {
                return f.Infinity(zeroSign);
            }

            env.Raise(MxcsrBits.DivideByZero);
            return f.Infinity(zeroSign);
        }

        a = Input(f, a, env);
        b = Input(f, b, env);
        bool sign = f.IsNegative(a) != f.IsNegative(b);
        if (f.IsInfinity(a))
        {
            if (f.IsInfinity(b))
            {
                env.Raise(MxcsrBits.Invalid);
                return f.DefaultNaN;
            }

            return f.Infinity(sign);
        }

        if (f.IsInfinity(b))
        {
            return f.Zero(sign);
        }

        if (f.IsZero(b))
        {
            if (f.IsZero(a))
            {
                env.Raise(MxcsrBits.Invalid);
                return f.DefaultNaN;
            }

            env.Raise(MxcsrBits.DivideByZero);
            return f.Infinity(sign);
        }

        if (f.IsZero(a))
        {
            return f.Zero(sign);
        }

        (UInt128 sa, int ea) = Normalize(Unpack(f, a));
        (UInt128 sb, int eb) = Normalize(Unpack(f, b));
        UInt128 dividend = sa << 72;
        UInt128 quotient = UInt128.DivRem(dividend, sb).Quotient;
        bool sticky = quotient * sb != dividend;
        return Round(f, sign, quotient, ea - eb - 72, sticky, env);
    }

    public static ulong SquareRoot(SimdFloatFormat f, ulong a, SimdFloatEnvironment env)
    {
        if (f.IsNaN(a))
        {
            if (f.IsSignalingNaN(a))
            {
                env.Raise(MxcsrBits.Invalid);
            }

            return a | f.QuietBit;
        }

        if (f.IsNegative(a) && !f.IsZero(a) && !(env.DenormalsAreZero && f.IsDenormal(a)))
        {
            env.Raise(MxcsrBits.Invalid);
            return f.DefaultNaN;
        }

        a = Input(f, a, env);
        if (f.IsZero(a))
        {
            return a;
        }

        if (f.IsInfinity(a))
        {
            return a;
        }

        (UInt128 s, int e) = Normalize(Unpack(f, a));
        if ((e & 1) != 0)
        {
            s <<= 1;
            e--;
        }

        UInt128 n = s << 72;
        UInt128 root = IntegerSquareRoot(n);
        return Round(f, false, root, (e - 72) / 2, root * root != n, env);
    }

    /// <summary>Shifts a significand up so its top bit is bit 52 (or more): division and square root then keep enough quotient bits.</summary>
    private static (UInt128 Significand, int Exponent) Normalize((UInt128 Significand, int Exponent) value)
    {
        int shift = 53 - (128 - (int)UInt128.LeadingZeroCount(value.Significand));
        return shift > 0 ? (value.Significand << shift, value.Exponent - shift) : value;
    }

    private static UInt128 IntegerSquareRoot(UInt128 n)
    {
        var root = (UInt128)Math.Sqrt((double)n);
        for (int i = 0; i < 4; i++)
        {
            root = (root + (n / root)) >> 1;
        }

        while (root * root > n)
        {
            root--;
        }

        while ((root + 1) * (root + 1) <= n)
        {
            root++;
        }

        return root;
    }

    /// <summary>
    /// Rounds sign x significand x 2^exponent (+ sticky) to <paramref name="f"/> in the environment's mode: overflow
    /// (OE, PE), tininess after rounding (UE with PE when inexact; FTZ flushes any tiny result to zero with UE and PE),
    /// inexact (PE).
    /// </summary>
    public static ulong Round(SimdFloatFormat f, bool sign, UInt128 significand, int exponent, bool sticky, SimdFloatEnvironment env)
    {
        int msb = 127 - (int)UInt128.LeadingZeroCount(significand);
        int valueExponent = msb + exponent;
        int minExponent = 1 - f.Bias;

        // Tininess after rounding: round to the format's precision as if the exponent range were unbounded.
        bool tiny = false;
        if (valueExponent < minExponent)
        {
            (UInt128 unbounded, _) = RoundAt(significand, exponent, sticky, valueExponent - f.FractionBits, sign, env.Mode);
            int roundedExponent = (127 - (int)UInt128.LeadingZeroCount(unbounded)) + (valueExponent - f.FractionBits);
            tiny = unbounded == 0 || roundedExponent < minExponent;
        }

        if (tiny && !env.UnderflowMasked)
        {
            env.Raise(MxcsrBits.Underflow);
        }

        if (tiny && env.FlushToZero && env.UnderflowMasked)
        {
            env.Raise(MxcsrBits.Underflow | MxcsrBits.Precision);
            return f.Zero(sign);
        }

        int lsbExponent = Math.Max(valueExponent, minExponent) - f.FractionBits;
        (UInt128 rounded, bool inexact) = RoundAt(significand, exponent, sticky, lsbExponent, sign, env.Mode);
        if (rounded >> (f.FractionBits + 1) != 0)
        {
            rounded >>= 1;
            lsbExponent++;
        }

        if (inexact)
        {
            env.Raise(MxcsrBits.Precision | (tiny ? MxcsrBits.Underflow : 0));
        }

        bool normal = (rounded >> f.FractionBits) != 0;
        int biased = normal ? lsbExponent + f.FractionBits + f.Bias : 0;
        if (biased >= f.MaxBiasedExponent)
        {
            env.Raise(MxcsrBits.Overflow | MxcsrBits.Precision);
            bool toInfinity = env.Mode switch
            {
                SimdRounding.Nearest => true,
                SimdRounding.Up => !sign,
                SimdRounding.Down => sign,
                _ => false,
            };
            return toInfinity ? f.Infinity(sign) : f.MaxFinite(sign);
        }

        return (sign ? f.SignBit : 0) | ((ulong)biased << f.FractionBits) | ((ulong)rounded & f.FractionMask);
    }

    /// <summary>The value rounded to a multiple of 2^<paramref name="lsbExponent"/>, as that multiple, and whether it was inexact.</summary>
    private static (UInt128 Rounded, bool Inexact) RoundAt(UInt128 significand, int exponent, bool sticky, int lsbExponent, bool sign, SimdRounding mode)
    {
        int shift = lsbExponent - exponent;
        if (shift <= 0)
        {
            return (significand << -shift, sticky);
        }

        UInt128 quotient;
        bool half;
        bool belowHalfNonzero;
        if (shift > 128)
        {
            quotient = 0;
            half = false;
            belowHalfNonzero = significand != 0 || sticky;
        }
        else
        {
            quotient = shift == 128 ? 0 : significand >> shift;
            UInt128 remainder = shift == 128 ? significand : significand & ((UInt128.One << shift) - 1);
            UInt128 halfway = UInt128.One << (shift - 1);
            half = remainder >= halfway;
            belowHalfNonzero = (remainder & (halfway - 1)) != 0 || sticky;
        }

        bool inexact = half || belowHalfNonzero;
        bool increment = mode switch
        {
            SimdRounding.Nearest => half && (belowHalfNonzero || (quotient & 1) != 0),
            SimdRounding.Up => inexact && !sign,
            SimdRounding.Down => inexact && sign,
            _ => false,
        };
        return (increment ? quotient + 1 : quotient, inexact);
    }

    /// <summary>
    /// Converts to a signed integer of <paramref name="bits"/> bits, rounding by the mode (or truncating): NaN and
    /// out-of-range give the integer indefinite (the minimum value) with IE; inexact sets PE.
    /// </summary>
    public static ulong ToInteger(SimdFloatFormat f, ulong a, int bits, bool truncate, SimdFloatEnvironment env)
    {
        ulong indefinite = 1UL << (bits - 1);
        if (f.IsNaN(a) || f.IsInfinity(a))
        {
            env.Raise(MxcsrBits.Invalid);
            return indefinite;
        }

        // Conversions to integer list no denormal exception: DAZ applies, DE is never raised.
        a = Flush(f, a, env);
        if (f.IsZero(a))
        {
            return 0;
        }

        bool sign = f.IsNegative(a);
        (UInt128 s, int e) = Unpack(f, a);
        if (e > 64)
        {
            // At least 2^117: no integer format here holds it (and the shift below would overflow).
            env.Raise(MxcsrBits.Invalid);
            return indefinite;
        }

        (UInt128 magnitude, bool inexact) = RoundAt(s, e, false, 0, sign, truncate ? SimdRounding.TowardZero : env.Mode);
        UInt128 limit = sign ? (UInt128)indefinite : (UInt128)indefinite - 1;
        if (magnitude > limit)
        {
            env.Raise(MxcsrBits.Invalid);
            return indefinite;
        }

        if (inexact)
        {
            env.Raise(MxcsrBits.Precision);
        }

        ulong value = (ulong)magnitude;
        ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        return (sign ? 0 - value : value) & mask;
    }

    /// <summary>A signed integer to the format, rounding by the mode (PE when inexact).</summary>
    public static ulong FromInteger(SimdFloatFormat f, long value, SimdFloatEnvironment env)
    {
        if (value == 0)
        {
            return 0;
        }

        bool sign = value < 0;
        ulong magnitude = sign ? 0 - (ulong)value : (ulong)value;
        return Round(f, sign, magnitude, 0, false, env);
    }

    /// <summary>Between formats: SNaN quieted with IE, a NaN keeps its payload's top bits; finite values round (with DE, OE, UE, PE as they apply).</summary>
    public static ulong Convert(SimdFloatFormat from, SimdFloatFormat to, ulong a, SimdFloatEnvironment env)
    {
        bool sign = from.IsNegative(a);
        if (from.IsNaN(a))
        {
            if (from.IsSignalingNaN(a))
            {
                env.Raise(MxcsrBits.Invalid);
            }

            ulong payload = a & from.FractionMask;
            payload = to.FractionBits >= from.FractionBits ? payload << (to.FractionBits - from.FractionBits) : payload >> (from.FractionBits - to.FractionBits);
            return to.Infinity(sign) | payload | to.QuietBit;
        }

        a = Input(from, a, env);
        if (from.IsInfinity(a))
        {
            return to.Infinity(sign);
        }

        if (from.IsZero(a))
        {
            return to.Zero(sign);
        }

        (UInt128 s, int e) = Unpack(from, a);
        return Round(to, sign, s, e, false, env);
    }

    /// <summary>
    /// The ordered comparison (-1, 0, 1) or null when unordered; after DAZ. Raises IE for an SNaN, or for
    /// any NaN when <paramref name="signaling"/>.
    /// </summary>
    public static int? Compare(SimdFloatFormat f, ulong a, ulong b, bool signaling, SimdFloatEnvironment env)
    {
        if (f.IsNaN(a) || f.IsNaN(b))
        {
            if (signaling || f.IsSignalingNaN(a) || f.IsSignalingNaN(b))
            {
                env.Raise(MxcsrBits.Invalid);
            }

            return null;
        }

        a = Input(f, a, env);
        b = Input(f, b, env);
        if (f.IsZero(a) && f.IsZero(b))
        {
            return 0;
        }

        BigInteger ka = Key(f, a);
        BigInteger kb = Key(f, b);
        return ka.CompareTo(kb);
    }

    /// <summary>A total order key for non-NaN values: sign-magnitude bits to a signed integer.</summary>
    private static BigInteger Key(SimdFloatFormat f, ulong bits)
    {
        var magnitude = new BigInteger(bits & ~f.SignBit & f.Mask);
        return f.IsNegative(bits) ? -magnitude : magnitude;
    }
}
