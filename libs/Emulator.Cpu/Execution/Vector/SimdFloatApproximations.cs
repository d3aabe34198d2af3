using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// RCPPS/RCPSS/RSQRTPS/RSQRTSS. The SDM only bounds their error (|relative error| &lt;= 1.5 x 2^-12) and every
/// vendor uses its own tables; this returns the correctly rounded value instead, which meets the bound but is not
/// bit-identical to any hardware. Specials follow the SDM: denormal inputs count as zero, ±0 gives ±infinity,
/// infinity gives zero, a negative RSQRT operand the default NaN, a NaN its quiet form, results below 2^-126 flush
/// to zero; MXCSR is neither read nor written.
/// </summary>
public static class SimdFloatApproximations
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Rcpps, Handler(false, Reciprocal), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Rcpss, Handler(true, Reciprocal), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Rsqrtps, Handler(false, ReciprocalSquareRoot), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Rsqrtss, Handler(true, ReciprocalSquareRoot), registers: OperandRegisters.Xmm);
    }

    private static InstructionHandler Handler(bool scalar, Func<uint, uint> operation) =>
        (ExecutionContext cpu, in Instruction instruction) => SimdFloatHandler.Run(cpu, instruction, (d, s, _) =>
        {
            for (int i = 0; i < (scalar ? 1 : 4); i++)
            {
                SimdFloatHandler.Set(d, SimdFloatFormat.Single, i, operation((uint)SimdFloatHandler.Get(s, SimdFloatFormat.Single, i)));
            }
        });

    public static uint Reciprocal(uint bits)
    {
        SimdFloatFormat f = SimdFloatFormat.Single;
        if (f.IsNaN(bits))
        {
            return bits | (uint)f.QuietBit;
        }

        bool negative = f.IsNegative(bits);
        if (f.IsZero(bits) || f.IsDenormal(bits))
        {
            return (uint)f.Infinity(negative);
        }

        return FlushTiny((float)(1.0 / BitConverter.UInt32BitsToSingle(bits)), negative);
    }

    public static uint ReciprocalSquareRoot(uint bits)
    {
        SimdFloatFormat f = SimdFloatFormat.Single;
        if (f.IsNaN(bits))
        {
            return bits | (uint)f.QuietBit;
        }

        bool negative = f.IsNegative(bits);
        if (f.IsZero(bits) || f.IsDenormal(bits))
        {
            return (uint)f.Infinity(negative);
        }

        if (negative)
        {
            return (uint)f.DefaultNaN;
        }

        return FlushTiny((float)(1.0 / Math.Sqrt(BitConverter.UInt32BitsToSingle(bits))), false);
    }

    private static uint FlushTiny(float value, bool negative)
    {
        uint result = BitConverter.SingleToUInt32Bits(value);
        return SimdFloatFormat.Single.BiasedExponent(result) == 0 ? (negative ? 0x8000_0000U : 0) : result;
    }
}
