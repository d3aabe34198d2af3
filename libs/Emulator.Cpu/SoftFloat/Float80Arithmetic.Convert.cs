namespace Emulator.Cpu;

public static partial class Float80Arithmetic
{
    /// <summary>The exact extended value of an IEEE binary float, SNaNs kept signaling; reports whether it was denormal.</summary>
    public static Float80 FromBinary(ulong bits, int fractionBits, int exponentBits, out bool denormal)
    {
        int exponentMax = (1 << exponentBits) - 1;
        int binaryBias = (1 << (exponentBits - 1)) - 1;
        bool sign = ((bits >> (fractionBits + exponentBits)) & 1) != 0;
        int exponent = (int)((bits >> fractionBits) & (ulong)exponentMax);
        ulong fraction = bits & ((1UL << fractionBits) - 1);
        denormal = false;
        if (exponent == exponentMax)
        {
            return Pack(sign, MaxExponent, IntegerBit | (fraction << (63 - fractionBits)));
        }

        if (exponent == 0)
        {
            if (fraction == 0)
            {
                return Zero(sign);
            }

            denormal = true;
            ulong m = fraction << (63 - fractionBits);
            int shift = System.Numerics.BitOperations.LeadingZeroCount(m);
            return Pack(sign, 1 - binaryBias + Bias - shift, m << shift);
        }

        return Pack(sign, exponent - binaryBias + Bias, IntegerBit | (fraction << (63 - fractionBits)));
    }

    public static Float80 FromFloat32(uint bits, out bool denormal) => FromBinary(bits, 23, 8, out denormal);

    public static Float80 FromFloat64(ulong bits, out bool denormal) => FromBinary(bits, 52, 11, out denormal);

    /// <summary>FLD m32/m64 semantics: an SNaN raises IE and is quieted, a denormal raises DE.</summary>
    public static Float80 LoadBinary(ulong bits, int fractionBits, int exponentBits, FloatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        Float80 value = FromBinary(bits, fractionBits, exponentBits, out bool denormal);
        if (IsSignalingNaN(value))
        {
            status.Raise(FloatFlags.Invalid);
            return Quiet(value);
        }

        if (denormal)
        {
            status.Raise(FloatFlags.Denormal);
        }

        return value;
    }

    public static uint ToFloat32(Float80 a, FloatStatus status) => (uint)ToBinary(a, 23, 8, status);

    public static ulong ToFloat64(Float80 a, FloatStatus status) => ToBinary(a, 52, 11, status);

    /// <summary>FST m32/m64: rounds to the binary format by the rounding mode with its exponent range (masked responses).</summary>
    public static ulong ToBinary(Float80 a, int fractionBits, int exponentBits, FloatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        int exponentMax = (1 << exponentBits) - 1;
        int binaryBias = (1 << (exponentBits - 1)) - 1;
        bool sign = SignOf(a);
        ulong signBit = sign ? 1UL << (fractionBits + exponentBits) : 0;
        ulong infinity = (ulong)exponentMax << fractionBits;
        if (IsUnsupported(a))
        {
            status.Raise(FloatFlags.Invalid);
            return (1UL << (fractionBits + exponentBits)) | infinity | (1UL << (fractionBits - 1));
        }

        if (IsNaN(a))
        {
            if (IsSignalingNaN(a))
            {
                status.Raise(FloatFlags.Invalid);
            }

            return signBit | infinity | (((a.Significand | QuietBit) & ~IntegerBit) >> (63 - fractionBits));
        }

        if (IsInfinity(a))
        {
            return signBit | infinity;
        }

        if (IsZero(a))
        {
            return signBit;
        }

        (int e, ulong m) = Normalize(a);
        int exponent = e - Bias + binaryBias;
        int dropped = 63 - fractionBits;
        ulong roundMask = (1UL << dropped) - 1;
        RoundingMode mode = status.Rounding;
        if (exponent <= 0)
        {
            bool tiny = status.TininessBeforeRounding || exponent < 0 || !RoundSignificand(mode, sign, m, 0, roundMask, dropped).Carry;
            ulong shifted = ShiftRightJamming(m, 1 - exponent);
            (ulong value, _, bool up) = RoundSignificand(mode, sign, shifted, 0, roundMask, dropped);
            bool inexact = (shifted & roundMask) != 0;
            if (tiny && (inexact || (status.Masked & FloatFlags.Underflow) == 0))
            {
                status.Raise(FloatFlags.Underflow);
            }

            if (inexact)
            {
                status.Raise(FloatFlags.Inexact);
            }

            status.RoundedUp |= up;
            return signBit | (value >> dropped);
        }

        (ulong rounded, bool carry, bool roundedUp) = RoundSignificand(mode, sign, m, 0, roundMask, dropped);
        if (carry)
        {
            rounded = IntegerBit;
            exponent++;
        }

        if (exponent >= exponentMax)
        {
            status.Raise(FloatFlags.Overflow | FloatFlags.Inexact);
            bool toMax = mode == RoundingMode.TowardZero || (sign && mode == RoundingMode.Up) || (!sign && mode == RoundingMode.Down);
            if (toMax)
            {
                return signBit | (infinity - 1);
            }

            status.RoundedUp = true;
            return signBit | infinity;
        }

        if ((m & roundMask) != 0)
        {
            status.Raise(FloatFlags.Inexact);
        }

        status.RoundedUp |= roundedUp;
        return signBit | ((ulong)exponent << fractionBits) | ((rounded & ~IntegerBit) >> dropped);
    }
}
