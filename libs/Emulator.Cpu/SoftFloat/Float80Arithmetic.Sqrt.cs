namespace Emulator.Cpu;

public static partial class Float80Arithmetic
{
    public static Float80 SquareRoot(Float80 a, FloatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (TryPropagateNaN(status, a, out Float80 nan))
        {
            return nan;
        }

        if (IsZero(a))
        {
            return a;
        }

        if (SignOf(a))
        {
            status.Raise(FloatFlags.Invalid);
            return Indefinite;
        }

        if (IsInfinity(a))
        {
            return a;
        }

        RaiseDenormal(status, a, a, false);
        (int e, ulong m) = Normalize(a);
        int unbiased = e - Bias;
        int odd = unbiased & 1;
        UInt128 n = (UInt128)m << (63 + odd);
        ulong root = IntegerSquareRoot(n);
        UInt128 remainder = n - ((UInt128)root * root);

        // The exact root is never a half-way point: remainder > root means the half bit is set.
        ulong sig1 = (remainder > root ? IntegerBit : 0) | (remainder != 0 ? 1UL : 0);
        return RoundAndPack(status, false, ((unbiased - odd) >> 1) + Bias, root, sig1, PrecisionBits(status.Precision));
    }

    /// <summary>floor(sqrt(n)) for n below 2^128 (so the root fits 64 bits; every candidate is kept there so squares cannot wrap).</summary>
    private static ulong IntegerSquareRoot(UInt128 n)
    {
        UInt128 limit = ulong.MaxValue;
        UInt128 x = UInt128.Min((UInt128)Math.Sqrt((double)n), limit);
        for (int i = 0; i < 4 && x != 0; i++)
        {
            x = UInt128.Min((x + (n / x)) >> 1, limit);
        }

        while (x * x > n)
        {
            x--;
        }

        while (x < limit && (x + 1) * (x + 1) <= n)
        {
            x++;
        }

        return (ulong)x;
    }
}
