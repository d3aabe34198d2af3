namespace Emulator.Cpu;

/// <summary>The MXCSR controls one SIMD floating-point instruction computes under, and the exception flags it raises.</summary>
public sealed class SimdFloatEnvironment(SimdRounding mode, bool flushToZero, bool denormalsAreZero, bool underflowMasked = true)
{
    /// <summary>With UM clear a tiny result underflows even when exact, and FTZ does not apply (SDM vol. 1, 11.5.2.3).</summary>
    public bool UnderflowMasked { get; } = underflowMasked;

    public SimdRounding Mode { get; } = mode;

    public bool FlushToZero { get; } = flushToZero;

    public bool DenormalsAreZero { get; } = denormalsAreZero;

    /// <summary>Raised MXCSR flag bits (<see cref="MxcsrBits"/>), OR-ed over every element.</summary>
    public uint Flags { get; set; }

    public static SimdFloatEnvironment FromMxcsr(uint mxcsr) =>
        new((SimdRounding)((mxcsr >> MxcsrBits.RoundingShift) & 3), (mxcsr & MxcsrBits.FlushToZero) != 0, (mxcsr & MxcsrBits.DenormalsAreZero) != 0,
            (mxcsr & (MxcsrBits.Underflow << MxcsrBits.MaskShift)) != 0);

    public void Raise(uint flags) => Flags |= flags;
}
