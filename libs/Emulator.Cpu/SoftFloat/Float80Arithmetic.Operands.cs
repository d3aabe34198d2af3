namespace Emulator.Cpu;

public static partial class Float80Arithmetic
{
    /// <summary>
    /// Unsupported formats and NaNs in a two-operand operation (SDM vol. 1, 4.8.3.5 and table 4-7):
    /// true with the result when the operation is decided by them.
    /// </summary>
    private static bool TryPropagateNaN(FloatStatus status, Float80 a, Float80 b, out Float80 result)
    {
        if (IsUnsupported(a) || IsUnsupported(b))
        {
            status.Raise(FloatFlags.Invalid);
            result = Indefinite;
            return true;
        }

        if (IsNaN(a) || IsNaN(b))
        {
            if (IsSignalingNaN(a) || IsSignalingNaN(b))
            {
                status.Raise(FloatFlags.Invalid);
            }

            result = PickNaN(a, b);
            return true;
        }

        result = default;
        return false;
    }

    private static bool TryPropagateNaN(FloatStatus status, Float80 a, out Float80 result)
    {
        if (IsUnsupported(a))
        {
            status.Raise(FloatFlags.Invalid);
            result = Indefinite;
            return true;
        }

        if (IsNaN(a))
        {
            if (IsSignalingNaN(a))
            {
                status.Raise(FloatFlags.Invalid);
            }

            result = Quiet(a);
            return true;
        }

        result = default;
        return false;
    }

    /// <summary>
    /// x87 NaN selection: a QNaN beats an SNaN; between NaNs of one kind the larger significand wins,
    /// and on a tie the positive one (as QEMU's float_2nan_prop_x87). The result is quiet.
    /// </summary>
    public static Float80 PickNaN(Float80 a, Float80 b)
    {
        if (!IsNaN(b))
        {
            return Quiet(a);
        }

        if (!IsNaN(a))
        {
            return Quiet(b);
        }

        bool aSignaling = IsSignalingNaN(a);
        bool bSignaling = IsSignalingNaN(b);
        if (aSignaling != bSignaling)
        {
            return Quiet(aSignaling ? b : a);
        }

        if (a.Significand != b.Significand)
        {
            return Quiet(a.Significand > b.Significand ? a : b);
        }

        return Quiet(SignOf(a) ? b : a);
    }

    private static void RaiseDenormal(FloatStatus status, Float80 a, Float80 b, bool extraDenormal)
    {
        if (extraDenormal || IsDenormal(a) || IsDenormal(b))
        {
            status.Raise(FloatFlags.Denormal);
        }
    }

    private static int Bits(FloatStatus status, bool precisionControlled) =>
        precisionControlled ? PrecisionBits(status.Precision) : 64;
}
