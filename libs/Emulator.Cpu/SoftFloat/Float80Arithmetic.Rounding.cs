namespace Emulator.Cpu;

public static partial class Float80Arithmetic
{
    /// <summary>
    /// Rounds the exact value (-1)^sign * (sig0:sig1 / 2^127) * 2^(exponent - Bias) (sig0:sig1 need not be
    /// normalized) to <paramref name="bits"/> significand bits with the extended exponent
    /// range (QEMU's roundAndPackFloatx80, plus the x87's bias-adjusted unmasked OE/UE responses).
    /// </summary>
    public static Float80 RoundAndPack(FloatStatus status, bool sign, int exponent, ulong sig0, ulong sig1, int bits = 64)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (sig0 == 0 && sig1 == 0)
        {
            return Zero(sign);
        }

        if (sig0 == 0)
        {
            sig0 = sig1;
            sig1 = 0;
            exponent -= 64;
        }

        int lead = System.Numerics.BitOperations.LeadingZeroCount(sig0);
        if (lead != 0)
        {
            sig0 = (sig0 << lead) | (sig1 >> (64 - lead));
            sig1 <<= lead;
            exponent -= lead;
        }

        if (exponent > 0x7FFE && (status.Masked & FloatFlags.Overflow) == 0)
        {
            status.Raise(FloatFlags.Overflow);
            exponent -= BiasAdjust;
        }
        else if (exponent <= 0 && (status.Masked & FloatFlags.Underflow) == 0)
        {
            status.Raise(FloatFlags.Underflow);
            exponent += BiasAdjust;
        }

        RoundingMode mode = status.Rounding;
        int dropped = 64 - bits;

        // Everything below the kept bits folds into one 64-bit word: bit `dropped` is the last kept bit.
        ulong roundMask = dropped == 0 ? 0 : (1UL << dropped) - 1;
        ulong sticky1 = sig1;
        if (exponent <= 0)
        {
            bool tiny = status.TininessBeforeRounding || exponent < 0 || !RoundsToNormal(mode, sign, sig0, sig1, roundMask, dropped);
            int shift = 1 - exponent;
            if (shift >= 64)
            {
                sticky1 = sig0 != 0 || sig1 != 0 ? 1UL : 0;
                if (shift == 64)
                {
                    sticky1 = sig0 | (sig1 != 0 ? 1UL : 0);
                }

                sig0 = 0;
            }
            else
            {
                sticky1 = (sig0 << (64 - shift)) | (sig1 != 0 ? 1UL : 0);
                sig0 >>= shift;
            }

            exponent = 0;
            ulong lost = (sig0 & roundMask) | sticky1;
            (ulong rounded, bool carry, bool up) = RoundSignificand(mode, sign, sig0, sticky1, roundMask, dropped);
            if (tiny && lost != 0)
            {
                status.Raise(FloatFlags.Underflow);
            }

            if (up)
            {
                status.RoundedUp = true;
            }

            if (lost != 0)
            {
                status.Raise(FloatFlags.Inexact);
            }

            if (carry || (rounded & IntegerBit) != 0)
            {
                // Rounded up into the smallest normal (or a pseudo-denormal's worth): exponent 1.
                return Pack(sign, 1, carry ? IntegerBit : rounded);
            }

            return Pack(sign, 0, rounded);
        }

        {
            ulong lost = (sig0 & roundMask) | sticky1;
            (ulong rounded, bool carry, bool up) = RoundSignificand(mode, sign, sig0, sticky1, roundMask, dropped);
            if (carry)
            {
                rounded = IntegerBit;
                exponent++;
            }

            if (exponent > 0x7FFE)
            {
                status.Raise(FloatFlags.Overflow | FloatFlags.Inexact);
                bool toMax = mode == RoundingMode.TowardZero || (sign && mode == RoundingMode.Up) || (!sign && mode == RoundingMode.Down);
                if (toMax)
                {
                    return Pack(sign, 0x7FFE, ~roundMask);
                }

                status.RoundedUp = true;
                return Infinity(sign);
            }

            if (lost != 0)
            {
                status.Raise(FloatFlags.Inexact);
            }

            if (up)
            {
                status.RoundedUp = true;
            }

            return Pack(sign, exponent, rounded);
        }
    }

    /// <summary>Whether rounding the unbounded-exponent value carries out of the significand (for after-rounding tininess).</summary>
    private static bool RoundsToNormal(RoundingMode mode, bool sign, ulong sig0, ulong sig1, ulong roundMask, int dropped) =>
        RoundSignificand(mode, sign, sig0, sig1, roundMask, dropped).Carry;

    /// <summary>
    /// Rounds <paramref name="sig"/> at bit <paramref name="dropped"/>, <paramref name="extra"/> being the bits
    /// below it (its top bit the half). Returns the rounded significand (low bits cleared), whether it carried
    /// out of bit 63, and whether the magnitude grew.
    /// </summary>
    private static (ulong Value, bool Carry, bool Up) RoundSignificand(RoundingMode mode, bool sign, ulong sig, ulong extra, ulong roundMask, int dropped)
    {
        ulong kept = sig & ~roundMask;
        ulong low = sig & roundMask;
        bool inexact = low != 0 || extra != 0;
        if (!inexact)
        {
            return (kept, false, false);
        }

        bool increment;
        if (mode == RoundingMode.NearestEven)
        {
            bool half;
            bool aboveHalf;
            if (dropped == 0)
            {
                half = (extra & IntegerBit) != 0;
                aboveHalf = half && (extra << 1) != 0;
            }
            else
            {
                ulong halfBit = 1UL << (dropped - 1);
                half = (low & halfBit) != 0;
                aboveHalf = half && ((low & (halfBit - 1)) != 0 || extra != 0);
            }

            ulong unit = dropped == 0 ? 1UL : 1UL << dropped;
            increment = aboveHalf || (half && (kept & unit) != 0);
        }
        else
        {
            increment = mode switch
            {
                RoundingMode.Up => !sign,
                RoundingMode.Down => sign,
                _ => false,
            };
        }

        if (!increment)
        {
            return (kept, false, false);
        }

        ulong step = dropped == 0 ? 1UL : 1UL << dropped;
        ulong sum = kept + step;
        return (sum, sum < kept, true);
    }
}
