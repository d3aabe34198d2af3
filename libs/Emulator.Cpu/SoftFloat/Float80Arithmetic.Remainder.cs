namespace Emulator.Cpu;

public static partial class Float80Arithmetic
{
    /// <summary>
    /// FPREM (truncating quotient) and FPREM1 (<paramref name="nearest"/>: IEEE remainder). With an exponent
    /// difference of 64 or more only a partial remainder is computed (reduction by 2^(32 + diff mod 32), as
    /// QEMU does) and <paramref name="incomplete"/> is set (C2). <paramref name="quotient"/> holds the low
    /// three quotient bits when complete.
    /// </summary>
    public static Float80 Remainder(Float80 a, Float80 b, bool nearest, FloatStatus status, out int quotient, out bool incomplete)
    {
        ArgumentNullException.ThrowIfNull(status);
        quotient = 0;
        incomplete = false;
        if (TryPropagateNaN(status, a, b, out Float80 nan))
        {
            return nan;
        }

        if (IsInfinity(a) || IsZero(b))
        {
            status.Raise(FloatFlags.Invalid);
            return Indefinite;
        }

        RaiseDenormal(status, a, b, false);
        if (IsZero(a))
        {
            return a;
        }

        if (IsInfinity(b))
        {
            // A pseudo-denormal comes back normalized.
            (int e, ulong m) = Normalize(a);
            return RoundAndPack(status, SignOf(a), e, m, 0, 64);
        }

        bool sign = SignOf(a);
        (int ea, ulong ma) = Normalize(a);
        (int eb, ulong mb) = Normalize(b);
        int difference = ea - eb;
        if (difference < -1)
        {
            return RoundAndPack(status, sign, ea, ma, 0, 64);
        }

        UInt128 dividend;
        UInt128 divisor = mb;
        int unitExponent;
        if (difference >= 64)
        {
            int n = 32 + (difference % 32);
            dividend = (UInt128)ma << n;
            unitExponent = ea - n;
            UInt128 partialQuotient = dividend / divisor;
            UInt128 partial = dividend - (partialQuotient * divisor);
            incomplete = true;
            return partial == 0 ? Zero(sign) : RoundAndPack(status, sign, unitExponent + 64, (ulong)(partial >> 64), (ulong)partial, 64);
        }

        if (difference >= 0)
        {
            dividend = (UInt128)ma << difference;
            unitExponent = eb;
        }
        else
        {
            dividend = ma;
            divisor = (UInt128)mb << 1;
            unitExponent = ea;
        }

        UInt128 q = dividend / divisor;
        UInt128 r = dividend - (q * divisor);
        if (nearest && (r * 2 > divisor || (r * 2 == divisor && (q & 1) != 0)))
        {
            q++;
            r = divisor - r;
            sign = !sign;
        }

        quotient = (int)(q & 7);
        return r == 0 ? Zero(SignOf(a)) : RoundAndPack(status, sign, unitExponent + 64, (ulong)(r >> 64), (ulong)r, 64);
    }
}
