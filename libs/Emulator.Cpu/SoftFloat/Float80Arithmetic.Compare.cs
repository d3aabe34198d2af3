namespace Emulator.Cpu;

public static partial class Float80Arithmetic
{
    /// <summary>
    /// Compares a with b. A quiet compare (FUCOM) raises IE only for SNaNs, a signaling one (FCOM) for any
    /// NaN; unsupported formats always raise IE and compare unordered.
    /// </summary>
    public static FloatRelation Compare(Float80 a, Float80 b, FloatStatus status, bool signaling, bool denormalOperand = false)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (IsUnsupported(a) || IsUnsupported(b))
        {
            status.Raise(FloatFlags.Invalid);
            return FloatRelation.Unordered;
        }

        if (IsNaN(a) || IsNaN(b))
        {
            if (signaling || IsSignalingNaN(a) || IsSignalingNaN(b))
            {
                status.Raise(FloatFlags.Invalid);
            }

            return FloatRelation.Unordered;
        }

        RaiseDenormal(status, a, b, denormalOperand);
        int order = OrderOf(a).CompareTo(OrderOf(b));
        return order < 0 ? FloatRelation.Less : order > 0 ? FloatRelation.Greater : FloatRelation.Equal;
    }

    /// <summary>A key that orders non-NaN values (zeros of either sign equal, pseudo-denormals by value).</summary>
    private static Int128 OrderOf(Float80 a)
    {
        if (IsZero(a))
        {
            return 0;
        }

        (int e, ulong m) = IsInfinity(a) ? (0x10000, IntegerBit) : Normalize(a);
        Int128 magnitude = ((Int128)(e + 0x10000) << 64) | m;
        return SignOf(a) ? -magnitude : magnitude;
    }
}
