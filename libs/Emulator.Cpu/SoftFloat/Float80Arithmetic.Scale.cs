namespace Emulator.Cpu;

public static partial class Float80Arithmetic
{
    /// <summary>FSCALE: a * 2^trunc(b).</summary>
    public static Float80 Scale(Float80 a, Float80 b, FloatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (TryPropagateNaN(status, a, b, out Float80 nan))
        {
            return nan;
        }

        if (IsInfinity(b))
        {
            bool negative = SignOf(b);
            if ((negative && IsInfinity(a)) || (!negative && IsZero(a)))
            {
                status.Raise(FloatFlags.Invalid);
                return Indefinite;
            }

            RaiseDenormal(status, a, b, false);
            return IsZero(a) || IsInfinity(a) ? a : negative ? Zero(SignOf(a)) : Infinity(SignOf(a));
        }

        RaiseDenormal(status, a, b, false);
        if (IsInfinity(a) || IsZero(a))
        {
            return a;
        }

        int scale = 0;
        if (!IsZero(b))
        {
            (int eb, ulong mb) = Normalize(b);
            int shift = Bias + 63 - eb;
            ulong magnitude = shift >= 64 ? 0 : shift <= 0 ? ulong.MaxValue : mb >> shift;
            int clamped = (int)Math.Min(magnitude, 0x10000UL);
            scale = SignOf(b) ? -clamped : clamped;
        }

        (int e, ulong m) = Normalize(a);
        return RoundAndPack(status, SignOf(a), e + scale, m, 0, 64);
    }

    /// <summary>FXTRACT: (exponent as a value, significand with exponent 0). A zero raises ZE and gives -inf.</summary>
    public static (Float80 Exponent, Float80 Significand) Extract(Float80 a, FloatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (TryPropagateNaN(status, a, out Float80 nan))
        {
            return (nan, nan);
        }

        if (IsZero(a))
        {
            status.Raise(FloatFlags.DivideByZero);
            return (Infinity(true), a);
        }

        if (IsInfinity(a))
        {
            return (Infinity(false), a);
        }

        RaiseDenormal(status, a, a, false);
        (int e, ulong m) = Normalize(a);
        return (FromInt64(e - Bias), Pack(SignOf(a), Bias, m));
    }
}
