using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 1, 7.3.6 "Shift and Rotate Instructions"; vol. 2 SAL/SAR/SHL/SHR and
/// RCL/RCR/ROL/ROR. The count is masked to 5 bits (6 with a 64-bit operand); a masked count of 0
/// changes no flag. The manual defines OF only for a count of 1; for larger counts this computes OF
/// with the count-1 formula from the final result, as QEMU does (the host-CPU differential tests
/// are the judge). AF after a shift is undefined and cleared. The destination is written even for a
/// zero count, so a 32-bit register is zero-extended, as on hardware.
/// </summary>
public static class ShiftRotateInstructions
{
    internal enum Kind
    {
        Shl,
        Shr,
        Sar,
        Rol,
        Ror,
        Rcl,
        Rcr,
    }

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Shl, (ExecutionContext c, in Instruction i) => Shift(c, i, Kind.Shl));
        table.Add(Mnemonic.Sal, (ExecutionContext c, in Instruction i) => Shift(c, i, Kind.Shl));
        table.Add(Mnemonic.Shr, (ExecutionContext c, in Instruction i) => Shift(c, i, Kind.Shr));
        table.Add(Mnemonic.Sar, (ExecutionContext c, in Instruction i) => Shift(c, i, Kind.Sar));
        table.Add(Mnemonic.Rol, (ExecutionContext c, in Instruction i) => Shift(c, i, Kind.Rol));
        table.Add(Mnemonic.Ror, (ExecutionContext c, in Instruction i) => Shift(c, i, Kind.Ror));
        table.Add(Mnemonic.Rcl, (ExecutionContext c, in Instruction i) => Shift(c, i, Kind.Rcl));
        table.Add(Mnemonic.Rcr, (ExecutionContext c, in Instruction i) => Shift(c, i, Kind.Rcr));
    }

    private static ExitReason Shift(ExecutionContext cpu, in Instruction instruction, Kind kind)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong a, MemoryAccess.Write) || !cpu.TryReadOperand(instruction, 1, 1, out ulong rawCount))
        {
            return ExitReason.Exception;
        }

        int count = (int)(rawCount & (size == 8 ? 0x3Fu : 0x1Fu));
        bool carryIn = cpu.GetFlag(RflagsBits.CF);
        (ulong result, ulong flags, ulong affected) = count == 0 ? (a, 0UL, 0UL) : Compute(kind, a, count, size, carryIn);
        if (!cpu.TryWriteOperand(instruction, 0, size, result))
        {
            return ExitReason.Exception;
        }

        cpu.SetFlags(affected, flags);
        return ExitReason.Continue;
    }

    /// <summary>The result, the new flag values, and which flags the operation sets. <paramref name="count"/> is masked and nonzero.</summary>
    internal static (ulong Result, ulong Flags, ulong Affected) Compute(Kind kind, ulong a, int count, int size, bool carryIn)
    {
        const ulong RotateFlags = RflagsBits.CF | RflagsBits.OF;
        int bits = size * 8;
        ulong mask = FlagMath.Mask(size);
        a &= mask;
        switch (kind)
        {
            case Kind.Shl:
            {
                ulong result = (a << count) & mask;
                bool cf = size == 8 ? ((a >> (64 - count)) & 1) != 0 : (((a << count) >> bits) & 1) != 0;
                bool of = FlagMath.IsNegative(result, size) != cf;
                return (result, FlagMath.Result(result, size) | Cf(cf) | Of(of), FlagMath.Status);
            }

            case Kind.Shr:
            {
                ulong result = a >> count;
                bool cf = ((a >> (count - 1)) & 1) != 0;
                bool of = FlagMath.IsNegative(a, size);
                return (result, FlagMath.Result(result, size) | Cf(cf) | Of(of), FlagMath.Status);
            }

            case Kind.Sar:
            {
                long signed = FlagMath.SignExtend(a, size);
                ulong result = (ulong)(signed >> count) & mask;
                bool cf = ((signed >> Math.Min(count - 1, 63)) & 1) != 0;
                return (result, FlagMath.Result(result, size) | Cf(cf), FlagMath.Status);
            }

            case Kind.Rol:
            {
                int n = count % bits;
                ulong result = n == 0 ? a : ((a << n) | (a >> (bits - n))) & mask;
                bool cf = (result & 1) != 0;
                bool of = FlagMath.IsNegative(result, size) != cf;
                return (result, Cf(cf) | Of(of), RotateFlags);
            }

            case Kind.Ror:
            {
                int n = count % bits;
                ulong result = n == 0 ? a : ((a >> n) | (a << (bits - n))) & mask;
                bool msb = FlagMath.IsNegative(result, size);
                bool next = ((result >> (bits - 2)) & 1) != 0;
                return (result, Cf(msb) | Of(msb != next), RotateFlags);
            }

            case Kind.Rcl:
            {
                int n = size switch { 1 => count % 9, 2 => count % 17, _ => count };
                bool cf = carryIn;
                for (int i = 0; i < n; i++)
                {
                    bool outBit = FlagMath.IsNegative(a, size);
                    a = ((a << 1) | (cf ? 1UL : 0)) & mask;
                    cf = outBit;
                }

                return (a, Cf(cf) | Of(FlagMath.IsNegative(a, size) != cf), RotateFlags);
            }

            default:
            {
                int n = size switch { 1 => count % 9, 2 => count % 17, _ => count };
                bool cf = carryIn;
                for (int i = 0; i < n; i++)
                {
                    bool outBit = (a & 1) != 0;
                    a = (a >> 1) | (cf ? FlagMath.SignBit(size) : 0);
                    cf = outBit;
                }

                bool msb = FlagMath.IsNegative(a, size);
                bool next = ((a >> (bits - 2)) & 1) != 0;
                return (a, Cf(cf) | Of(msb != next), RotateFlags);
            }
        }
    }

    private static ulong Cf(bool value) => value ? RflagsBits.CF : 0;

    private static ulong Of(bool value) => value ? RflagsBits.OF : 0;
}
