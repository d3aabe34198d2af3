namespace Emulator.Cpu;

public static partial class Float80Arithmetic
{
    public static Float80 Add(Float80 a, Float80 b, FloatStatus status, bool denormalOperand = false, bool precisionControlled = true) =>
        AddSigned(a, b, false, status, denormalOperand, precisionControlled);

    /// <summary>a - b.</summary>
    public static Float80 Subtract(Float80 a, Float80 b, FloatStatus status, bool denormalOperand = false, bool precisionControlled = true) =>
        AddSigned(a, b, true, status, denormalOperand, precisionControlled);

    private static Float80 AddSigned(Float80 a, Float80 b, bool negateB, FloatStatus status, bool denormalOperand, bool precisionControlled)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (TryPropagateNaN(status, a, b, out Float80 nan))
        {
            return nan;
        }

        RaiseDenormal(status, a, b, denormalOperand);
        bool signA = SignOf(a);
        bool signB = SignOf(b) ^ negateB;
        if (IsInfinity(a) || IsInfinity(b))
        {
            if (IsInfinity(a) && IsInfinity(b) && signA != signB)
            {
                status.Raise(FloatFlags.Invalid);
                return Indefinite;
            }

            return IsInfinity(a) ? Infinity(signA) : Infinity(signB);
        }

        int bits = Bits(status, precisionControlled);
        bool zeroA = IsZero(a);
        bool zeroB = IsZero(b);
        if (zeroA && zeroB)
        {
            return Zero(signA == signB ? signA : status.Rounding == RoundingMode.Down);
        }

        if (zeroA || zeroB)
        {
            (int e, ulong m) = Normalize(zeroA ? b : a);
            return RoundAndPack(status, zeroA ? signB : signA, e, m, 0, bits);
        }

        (int ea, ulong ma) = Normalize(a);
        (int eb, ulong mb) = Normalize(b);
        if (ea < eb || (ea == eb && ma < mb))
        {
            (ea, ma, eb, mb) = (eb, mb, ea, ma);
            (signA, signB) = (signB, signA);
        }

        // One bit of headroom for the carry of an addition; the low word is the guard/sticky space.
        UInt128 big = (UInt128)ma << 63;
        UInt128 small = ShiftRightJamming((UInt128)mb << 63, ea - eb);
        UInt128 sum = signA == signB ? big + small : big - small;
        if (sum == 0)
        {
            return Zero(status.Rounding == RoundingMode.Down);
        }

        return RoundAndPack(status, signA, ea + 1, (ulong)(sum >> 64), (ulong)sum, bits);
    }
}
