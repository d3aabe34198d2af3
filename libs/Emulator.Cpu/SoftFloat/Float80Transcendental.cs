namespace Emulator.Cpu;

/// <summary>
/// The x87 transcendental functions on 80-bit operands, evaluated in <see cref="WideFloat"/> (128-bit
/// significand) and rounded once to 64 bits, as QEMU's fpu_helper does with its extra-precision floatx80
/// code. The results are correctly rounded except extremely close to a rounding boundary; the hardware is
/// not always (it is off by one ulp in a few percent of cases), so this is the closest practical model.
/// Precision control does not apply (SDM vol. 1, 8.1.5.2). The operand and special-value rules follow the
/// SDM vol. 2 tables of each instruction. Operands are the raw ST registers; the caller handles empty
/// registers and the trig range check.
/// </summary>
public static partial class Float80Transcendental
{
    /// <summary>
    /// The shared operand screen: unsupported formats are invalid, NaNs propagate (SNaN invalid), denormals
    /// raise DE. True with the result when a NaN rule decides it.
    /// </summary>
    public static bool TryNaN(Float80 a, FloatStatus status, out Float80 result)
    {
        ArgumentNullException.ThrowIfNull(status);
        result = default;
        if (Float80Arithmetic.IsUnsupported(a))
        {
            status.Raise(FloatFlags.Invalid);
            result = Float80Arithmetic.Indefinite;
            return true;
        }

        if (Float80Arithmetic.IsNaN(a))
        {
            if (Float80Arithmetic.IsSignalingNaN(a))
            {
                status.Raise(FloatFlags.Invalid);
            }

            result = Float80Arithmetic.Quiet(a);
            return true;
        }

        if (Float80Arithmetic.IsDenormal(a))
        {
            status.Raise(FloatFlags.Denormal);
        }

        return false;
    }

    /// <summary>The two-operand screen (ST0 = <paramref name="x"/>, ST1 = <paramref name="y"/>).</summary>
    public static bool TryNaN(Float80 x, Float80 y, FloatStatus status, out Float80 result)
    {
        if (TryNaN(x, status, out Float80 nanX) | TryNaN(y, status, out Float80 nanY))
        {
            // A NaN result reports no DE for the other operand (as the host does).
            status.Flags &= ~FloatFlags.Denormal;
            result = Float80Arithmetic.IsUnsupported(x) || Float80Arithmetic.IsUnsupported(y) ? Float80Arithmetic.Indefinite
                : Float80Arithmetic.IsNaN(x) && Float80Arithmetic.IsNaN(y) ? Float80Arithmetic.PickNaN(x, y)
                : Float80Arithmetic.IsNaN(x) ? nanX : nanY;
            return true;
        }

        result = default;
        return false;
    }

    /// <summary>An invalid operation: it takes precedence over DE (the host reports only IE).</summary>
    private static Float80 Invalid(FloatStatus status)
    {
        Exceptional(status, FloatFlags.Invalid);
        return Float80Arithmetic.Indefinite;
    }

    /// <summary>
    /// An unmasked DE (with no IE or ZE, which replace it) stops the instruction before it computes anything: the
    /// host then reports DE alone, and the result is not written. Call after the operation.
    /// </summary>
    public static void StopAtUnmaskedDenormal(FloatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if ((status.Flags & FloatFlags.Denormal) != 0 && (status.Masked & FloatFlags.Denormal) == 0)
        {
            status.Flags = FloatFlags.Denormal;
            status.RoundedUp = false;
        }
    }

    /// <summary>IE and ZE replace a DE already noted for an operand.</summary>
    private static void Exceptional(FloatStatus status, FloatFlags flag) =>
        status.Flags = (status.Flags & ~FloatFlags.Denormal) | flag;

    /// <summary>Whether a term (already added, so that its sticky bit marks the sum inexact) no longer matters at 128 bits.</summary>
    private static bool Negligible(WideFloat term, WideFloat sum) => term.IsZero || term.Exponent < sum.Exponent - 132;
}
