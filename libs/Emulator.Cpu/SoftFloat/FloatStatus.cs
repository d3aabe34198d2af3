namespace Emulator.Cpu;

/// <summary>
/// The environment of one software-float operation: rounding, precision, which exceptions are masked
/// (unmasked overflow/underflow deliver the exponent-bias-adjusted result, SDM vol. 1, 8.5.4/8.5.5),
/// and what the operation reports back: the raised flags and whether the result was rounded away
/// from zero (the x87 C1 bit).
/// </summary>
public sealed class FloatStatus
{
    public RoundingMode Rounding { get; set; }

    public PrecisionControl Precision { get; set; } = PrecisionControl.Extended;

    public FloatFlags Masked { get; set; } = FloatFlags.All;

    /// <summary>Tininess is detected after rounding by default, as the host x87 shows.</summary>
    public bool TininessBeforeRounding { get; set; }

    public FloatFlags Flags { get; set; }

    /// <summary>The last rounded result's magnitude exceeds the exact value.</summary>
    public bool RoundedUp { get; set; }

    public void Raise(FloatFlags flags) => Flags |= flags;

    /// <summary>Clears the per-operation outputs.</summary>
    public void Reset()
    {
        Flags = FloatFlags.None;
        RoundedUp = false;
    }

    /// <summary>A status for the x87 control word <paramref name="fcw"/>.</summary>
    public static FloatStatus FromControlWord(ushort fcw) => new()
    {
        Rounding = (RoundingMode)((fcw >> 10) & 3),
        Precision = (PrecisionControl)((fcw >> 8) & 3),
        Masked = (FloatFlags)(fcw & 0x3F),
    };
}
