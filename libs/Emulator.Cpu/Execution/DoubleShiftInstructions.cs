using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2, SHLD "Double Precision Shift Left" and SHRD "Double Precision Shift Right".
/// The count (imm8 or CL) is masked to 5 bits (6 with a 64-bit operand); a masked count of 0 changes
/// no flag (the destination is still written, so a 32-bit register is zero-extended like the other
/// shifts). CF is the last bit shifted out of the destination, SF/ZF/PF follow the result, OF is the
/// sign change for a count of 1 (computed the same way for larger counts, where the SDM leaves it
/// undefined) and AF is undefined and cleared. A 16-bit operand shifted by 17..31 is undefined in the
/// SDM; this shifts through destination:source:source (SHRD: source:source:destination), which is
/// what the AMD host of the differential tests produced in a one-off run (Intel and QEMU shift
/// destination:source:destination instead). The suite does not compare those results, as they are
/// vendor-specific.
/// </summary>
public static class DoubleShiftInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Shld, (ExecutionContext c, in Instruction i) => Shift(c, i, left: true));
        table.Add(Mnemonic.Shrd, (ExecutionContext c, in Instruction i) => Shift(c, i, left: false));
    }

    private static ExitReason Shift(ExecutionContext cpu, in Instruction instruction, bool left)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong destination, MemoryAccess.Write)
            || !cpu.TryReadOperand(instruction, 1, size, out ulong source)
            || !cpu.TryReadOperand(instruction, 2, 1, out ulong rawCount))
        {
            return ExitReason.Exception;
        }

        int count = (int)(rawCount & (size == 8 ? 0x3Fu : 0x1Fu));
        (ulong result, ulong flags) = count == 0 ? (destination, 0UL) : Compute(left, destination, source, count, size);
        if (!cpu.TryWriteOperand(instruction, 0, size, result))
        {
            return ExitReason.Exception;
        }

        if (count != 0)
        {
            cpu.SetStatusFlags(flags);
        }

        return ExitReason.Continue;
    }

    /// <summary>The result and the status flags; <paramref name="count"/> is masked and nonzero.</summary>
    public static (ulong Result, ulong Flags) Compute(bool left, ulong destination, ulong source, int count, int size)
    {
        int bits = size * 8;
        ulong mask = FlagMath.Mask(size);
        destination &= mask;
        source &= mask;

        // The bits the shift moves through: source beside destination (and source again for 16-bit counts past 16).
        UInt128 wide;
        ulong result;
        bool cf;
        if (left)
        {
            wide = size == 2
                ? ((UInt128)destination << 32) | ((UInt128)source << 16) | source
                : ((UInt128)destination << bits) | source;
            int top = size == 2 ? 48 : 2 * bits;
            result = (ulong)((wide << count) >> (top - bits)) & mask;

            // The last bit out, read before shifting: a 64-bit operand's would leave the 128-bit value.
            cf = ((wide >> (top - count)) & 1) != 0;
        }
        else
        {
            wide = size == 2
                ? ((UInt128)source << 32) | ((UInt128)source << 16) | destination
                : ((UInt128)source << bits) | destination;
            result = (ulong)(wide >> count) & mask;
            cf = ((wide >> (count - 1)) & 1) != 0;
        }

        bool of = FlagMath.IsNegative(result, size) != FlagMath.IsNegative(destination, size);
        return (result, FlagMath.Result(result, size) | (cf ? RflagsBits.CF : 0) | (of ? RflagsBits.OF : 0));
    }
}
