using System.Numerics;

namespace Emulator.Cpu;

/// <summary>
/// The arithmetic flags as pure functions of operands and result (Intel SDM vol. 1, appendix A
/// "EFLAGS Cross-Reference"; each instruction's "Flags Affected"). Sizes are in bytes (1, 2, 4, 8).
/// </summary>
public static class FlagMath
{
    /// <summary>CF, PF, AF, ZF, SF, OF.</summary>
    public const ulong Status = RflagsBits.CF | RflagsBits.PF | RflagsBits.AF | RflagsBits.ZF | RflagsBits.SF | RflagsBits.OF;

    public static ulong Mask(int size) => size >= 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    public static ulong SignBit(int size) => 1UL << ((size * 8) - 1);

    public static bool IsNegative(ulong value, int size) => (value & SignBit(size)) != 0;

    /// <summary>Sign-extends the low <paramref name="size"/> bytes to 64 bits.</summary>
    public static long SignExtend(ulong value, int size) => size switch
    {
        1 => (sbyte)value,
        2 => (short)value,
        4 => (int)value,
        _ => (long)value,
    };

    /// <summary>PF: set when the low byte has an even number of 1 bits.</summary>
    public static ulong Parity(ulong result) => (BitOperations.PopCount(result & 0xFF) & 1) == 0 ? RflagsBits.PF : 0;

    /// <summary>SF, ZF, PF of a result.</summary>
    public static ulong Result(ulong result, int size)
    {
        result &= Mask(size);
        return Parity(result)
            | (result == 0 ? RflagsBits.ZF : 0)
            | (IsNegative(result, size) ? RflagsBits.SF : 0);
    }

    /// <summary>ADD/ADC: <paramref name="result"/> = a + b + carry (masked).</summary>
    public static ulong Add(ulong a, ulong b, ulong carry, ulong result, int size)
    {
        ulong mask = Mask(size);
        a &= mask;
        b &= mask;
        result &= mask;
        bool cf = result < a || (carry != 0 && result == a);
        return Result(result, size)
            | (cf ? RflagsBits.CF : 0)
            | ((a ^ b ^ result) & 0x10)
            | (((a ^ result) & (b ^ result) & SignBit(size)) != 0 ? RflagsBits.OF : 0);
    }

    /// <summary>SUB/SBB/CMP/NEG: <paramref name="result"/> = a - b - borrow (masked).</summary>
    public static ulong Sub(ulong a, ulong b, ulong borrow, ulong result, int size)
    {
        ulong mask = Mask(size);
        a &= mask;
        b &= mask;
        result &= mask;
        bool cf = a < b || (borrow != 0 && a == b);
        return Result(result, size)
            | (cf ? RflagsBits.CF : 0)
            | ((a ^ b ^ result) & 0x10)
            | (((a ^ b) & (a ^ result) & SignBit(size)) != 0 ? RflagsBits.OF : 0);
    }

    /// <summary>AND/OR/XOR/TEST: CF and OF clear; AF is undefined and cleared, as Intel hardware and QEMU leave it.</summary>
    public static ulong Logic(ulong result, int size) => Result(result, size);
}
