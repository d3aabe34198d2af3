namespace Emulator.Cpu;

public static partial class Float80Arithmetic
{
    public static Float80 Multiply(Float80 a, Float80 b, FloatStatus status, bool denormalOperand = false)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (TryPropagateNaN(status, a, b, out Float80 nan))
        {
            return nan;
        }

        RaiseDenormal(status, a, b, denormalOperand);
        bool sign = SignOf(a) ^ SignOf(b);
        if (IsInfinity(a) || IsInfinity(b))
        {
            if (IsZero(a) || IsZero(b))
            {
                status.Raise(FloatFlags.Invalid);
                return Indefinite;
            }

            return Infinity(sign);
        }

        if (IsZero(a) || IsZero(b))
        {
            return Zero(sign);
        }

        (int ea, ulong ma) = Normalize(a);
        (int eb, ulong mb) = Normalize(b);
        ulong high = Math.BigMul(ma, mb, out ulong low);

        // ma * mb / 2^126 is in [1, 4): the product word pair read as /2^127 is half of it.
        return RoundAndPack(status, sign, ea + eb - Bias + 1, high, low, PrecisionBits(status.Precision));
    }

    /// <summary>a / b.</summary>
    public static Float80 Divide(Float80 a, Float80 b, FloatStatus status, bool denormalOperand = false)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (TryPropagateNaN(status, a, b, out Float80 nan))
        {
            return nan;
        }

        bool sign = SignOf(a) ^ SignOf(b);
        if (IsInfinity(a))
        {
            if (IsInfinity(b))
            {
                status.Raise(FloatFlags.Invalid);
                return Indefinite;
            }

            RaiseDenormal(status, a, b, denormalOperand);
            return Infinity(sign);
        }

        if (IsZero(b))
        {
            if (IsZero(a))
            {
                status.Raise(FloatFlags.Invalid);
                return Indefinite;
            }

            // A denormal dividend is not reported: divide-by-zero takes precedence (observed on hardware).
            status.Raise(FloatFlags.DivideByZero);
            return Infinity(sign);
        }

        RaiseDenormal(status, a, b, denormalOperand);
        if (IsInfinity(b) || IsZero(a))
        {
            return Zero(sign);
        }

        (int ea, ulong ma) = Normalize(a);
        (int eb, ulong mb) = Normalize(b);
        int exponent = ea - eb + Bias;
        UInt128 numerator = (UInt128)ma << 63;
        if (ma < mb)
        {
            numerator <<= 1;
            exponent--;
        }

        UInt128 q = numerator / mb;
        UInt128 r = numerator - (q * mb);
        UInt128 next = (r << 64) / mb;
        UInt128 r2 = (r << 64) - (next * mb);
        ulong sig1 = (ulong)next | (r2 != 0 ? 1UL : 0);
        return RoundAndPack(status, sign, exponent, (ulong)q, sig1, PrecisionBits(status.Precision));
    }
}
