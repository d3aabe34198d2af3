namespace Emulator.Cpu;

/// <summary>
/// Constants for the transcendentals, truncated to 128 significand bits (from a 600-bit evaluation).
/// <see cref="ReductionPi"/> is the 66-bit pi the x87 reduces trig operands with (SDM vol. 1, 8.3.10):
/// matching it is what makes FSIN near multiples of pi agree with the hardware.
/// </summary>
public static class WideConstants
{
    public static WideFloat One => new(false, 0, UInt128.One << 127);

    public static WideFloat Pi => new(false, 1, new UInt128(0xc90fdaa22168c234, 0xc4c6628b80dc1cd1));

    public static WideFloat HalfPi => Pi.Scale(-1);

    public static WideFloat QuarterPi => Pi.Scale(-2);

    public static WideFloat SixthPi => new(false, -1, new UInt128(0x860a91c16b9b2c23, 0x2dd99707ab3d688b));

    public static WideFloat Sqrt3 => new(false, 0, new UInt128(0xddb3d742c265539d, 0x92ba16b83c5c1dc4));

    /// <summary>2 - sqrt(3) = tan(pi/12): above it atan is reduced through atan(1/sqrt(3)) = pi/6.</summary>
    public static WideFloat TwoMinusSqrt3 => new(false, -2, new UInt128(0x8930a2f4f66ab189, 0xb517a51f0e8f88ed));

    public static WideFloat Sqrt2 => new(false, 0, new UInt128(0xb504f333f9de6484, 0x597d89b3754abe9f));

    public static WideFloat Ln2 => new(false, -1, new UInt128(0xb17217f7d1cf79ab, 0xc9e3b39803f2f6af));

    /// <summary>log2(e) = 1 / ln(2).</summary>
    public static WideFloat Log2E => new(false, 0, new UInt128(0xb8aa3b295c17f0bb, 0xbe87fed0691d3e88));

    /// <summary>The x87's internal pi: 0xC90FDAA22168C234C * 2^-66 (pi rounded to 66 bits).</summary>
    public static UInt128 ReductionPi => new(0xC, 0x90FDAA22168C234C);

    public const int ReductionPiScale = 66;
}
