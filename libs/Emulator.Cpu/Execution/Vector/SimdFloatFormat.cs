namespace Emulator.Cpu;

/// <summary>An IEEE 754 binary interchange format by its field widths: binary32 or binary64.</summary>
public readonly record struct SimdFloatFormat(int FractionBits, int ExponentBits)
{
    public static readonly SimdFloatFormat Single = new(23, 8);

    public static readonly SimdFloatFormat Double = new(52, 11);

    public int Bits => FractionBits + ExponentBits + 1;

    public int Bias => (1 << (ExponentBits - 1)) - 1;

    public int MaxBiasedExponent => (1 << ExponentBits) - 1;

    public ulong FractionMask => (1UL << FractionBits) - 1;

    public ulong SignBit => 1UL << (Bits - 1);

    /// <summary>The x86 default NaN (the "real indefinite"): sign set, quiet bit set, rest zero.</summary>
    public ulong DefaultNaN => SignBit | ((ulong)MaxBiasedExponent << FractionBits) | (1UL << (FractionBits - 1));

    public ulong QuietBit => 1UL << (FractionBits - 1);

    public int Size => Bits / 8;

    public int BiasedExponent(ulong bits) => (int)((bits >> FractionBits) & (ulong)MaxBiasedExponent);

    public bool IsNaN(ulong bits) => BiasedExponent(bits) == MaxBiasedExponent && (bits & FractionMask) != 0;

    public bool IsSignalingNaN(ulong bits) => IsNaN(bits) && (bits & QuietBit) == 0;

    public bool IsInfinity(ulong bits) => BiasedExponent(bits) == MaxBiasedExponent && (bits & FractionMask) == 0;

    public bool IsZero(ulong bits) => (bits & ~SignBit & Mask) == 0;

    public bool IsDenormal(ulong bits) => BiasedExponent(bits) == 0 && (bits & FractionMask) != 0;

    public bool IsNegative(ulong bits) => (bits & SignBit) != 0;

    public ulong Mask => Bits == 64 ? ulong.MaxValue : (1UL << Bits) - 1;

    public ulong Infinity(bool negative) => (negative ? SignBit : 0) | ((ulong)MaxBiasedExponent << FractionBits);

    public ulong Zero(bool negative) => negative ? SignBit : 0;

    public ulong MaxFinite(bool negative) => (negative ? SignBit : 0) | ((ulong)(MaxBiasedExponent - 1) << FractionBits) | FractionMask;
}
