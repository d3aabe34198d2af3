using System.Numerics;

namespace Emulator.Cpu;

/// <summary>
/// The x87 80-bit extended-precision software float, modelled on QEMU's softfloat floatx80 and the
/// Intel rules of SDM vol. 1, chapters 4 and 8: explicit integer bit, denormals and pseudo-denormals as
/// operands (DE), unnormals/pseudo-NaNs/pseudo-infinities as unsupported formats (IE), NaN propagation
/// of table 4-7, precision control with the extended exponent range. Pure: every operation reports
/// through the <see cref="FloatStatus"/> it is given.
/// </summary>
public static partial class Float80Arithmetic
{
    public const int Bias = 0x3FFF;
    public const int MaxExponent = 0x7FFF;
    public const ulong IntegerBit = 0x8000_0000_0000_0000;
    public const ulong QuietBit = 0x4000_0000_0000_0000;

    /// <summary>The amount unmasked overflow/underflow adjust the exponent by (SDM vol. 1, 8.5.4).</summary>
    public const int BiasAdjust = 0x6000;

    public static Float80 Pack(bool sign, int exponent, ulong significand) =>
        new() { Significand = significand, SignExponent = (ushort)((sign ? 0x8000 : 0) | (exponent & 0x7FFF)) };

    /// <summary>The real indefinite: the QNaN a masked invalid operation returns.</summary>
    public static Float80 Indefinite => Pack(true, MaxExponent, 0xC000_0000_0000_0000);

    public static Float80 Zero(bool sign) => Pack(sign, 0, 0);

    public static Float80 Infinity(bool sign) => Pack(sign, MaxExponent, IntegerBit);

    public static Float80 One => Pack(false, Bias, IntegerBit);

    public static bool SignOf(Float80 a) => (a.SignExponent & 0x8000) != 0;

    public static int ExponentOf(Float80 a) => a.SignExponent & 0x7FFF;

    public static Float80 Negate(Float80 a) => new() { Significand = a.Significand, SignExponent = (ushort)(a.SignExponent ^ 0x8000) };

    public static Float80 Abs(Float80 a) => new() { Significand = a.Significand, SignExponent = (ushort)(a.SignExponent & 0x7FFF) };

    /// <summary>Unnormals, pseudo-NaNs and pseudo-infinities: a nonzero exponent without the integer bit.</summary>
    public static bool IsUnsupported(Float80 a) => ExponentOf(a) != 0 && (a.Significand & IntegerBit) == 0;

    public static bool IsNaN(Float80 a) => ExponentOf(a) == MaxExponent && (a.Significand & IntegerBit) != 0 && (a.Significand << 1) != 0;

    public static bool IsSignalingNaN(Float80 a) => IsNaN(a) && (a.Significand & QuietBit) == 0;

    public static bool IsInfinity(Float80 a) => ExponentOf(a) == MaxExponent && a.Significand == IntegerBit;

    public static bool IsZero(Float80 a) => ExponentOf(a) == 0 && a.Significand == 0;

    /// <summary>Denormals and pseudo-denormals (exponent 0 with the integer bit set).</summary>
    public static bool IsDenormal(Float80 a) => ExponentOf(a) == 0 && a.Significand != 0;

    public static Float80 Quiet(Float80 a) => new() { Significand = a.Significand | QuietBit, SignExponent = a.SignExponent };

    /// <summary>A finite nonzero operand as (exponent, significand with bit 63 set); denormals get an exponent below 1.</summary>
    private static (int Exponent, ulong Significand) Normalize(Float80 a)
    {
        int exponent = ExponentOf(a);
        ulong significand = a.Significand;
        if (exponent == 0)
        {
            exponent = 1;
        }

        int shift = BitOperations.LeadingZeroCount(significand);
        return (exponent - shift, significand << shift);
    }

    /// <summary>Significand bits kept by precision control: 24, 53 or 64.</summary>
    private static int PrecisionBits(PrecisionControl precision) => precision switch
    {
        PrecisionControl.Single => 24,
        PrecisionControl.Double => 53,
        _ => 64,
    };

    private static ulong ShiftRightJamming(ulong value, int count) =>
        count == 0 ? value : count >= 64 ? (value != 0 ? 1UL : 0) : (value >> count) | ((value << (64 - count)) != 0 ? 1UL : 0);

    private static UInt128 ShiftRightJamming(UInt128 value, int count) =>
        count == 0 ? value : count >= 128 ? (value != 0 ? UInt128.One : UInt128.Zero) : (value >> count) | ((value << (128 - count)) != 0 ? UInt128.One : UInt128.Zero);
}
