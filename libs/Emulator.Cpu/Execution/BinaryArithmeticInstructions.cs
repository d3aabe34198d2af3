using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 1, 7.3.2 "Binary Arithmetic Instructions"; vol. 2 ADD, ADC, SUB, SBB, CMP, INC,
/// DEC, NEG. Flags exactly as each instruction's "Flags Affected" (INC/DEC keep CF).
/// </summary>
public static class BinaryArithmeticInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Add, (ExecutionContext c, in Instruction i) => Arithmetic(c, i, false, false, true), lockable: true);
        table.Add(Mnemonic.Adc, (ExecutionContext c, in Instruction i) => Arithmetic(c, i, true, false, true), lockable: true);
        table.Add(Mnemonic.Sub, (ExecutionContext c, in Instruction i) => Arithmetic(c, i, false, true, true), lockable: true);
        table.Add(Mnemonic.Sbb, (ExecutionContext c, in Instruction i) => Arithmetic(c, i, true, true, true), lockable: true);
        table.Add(Mnemonic.Cmp, (ExecutionContext c, in Instruction i) => Arithmetic(c, i, false, true, false));
        table.Add(Mnemonic.Inc, (ExecutionContext c, in Instruction i) => IncDec(c, i, false), lockable: true);
        table.Add(Mnemonic.Dec, (ExecutionContext c, in Instruction i) => IncDec(c, i, true), lockable: true);
        table.Add(Mnemonic.Neg, Neg, lockable: true);
    }

    private static ExitReason Arithmetic(ExecutionContext cpu, in Instruction instruction, bool withCarry, bool subtract, bool writeBack)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        MemoryAccess access = writeBack ? MemoryAccess.Write : MemoryAccess.Read;
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong a, access) || !cpu.TryReadOperand(instruction, 1, size, out ulong b))
        {
            return ExitReason.Exception;
        }

        ulong carry = withCarry && cpu.GetFlag(RflagsBits.CF) ? 1UL : 0;
        ulong result = subtract ? a - b - carry : a + b + carry;
        if (writeBack && !cpu.TryWriteOperand(instruction, 0, size, result))
        {
            return ExitReason.Exception;
        }

        cpu.SetStatusFlags(subtract ? FlagMath.Sub(a, b, carry, result, size) : FlagMath.Add(a, b, carry, result, size));
        return ExitReason.Continue;
    }

    private static ExitReason IncDec(ExecutionContext cpu, in Instruction instruction, bool decrement)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong a, MemoryAccess.Write))
        {
            return ExitReason.Exception;
        }

        ulong result = decrement ? a - 1 : a + 1;
        if (!cpu.TryWriteOperand(instruction, 0, size, result))
        {
            return ExitReason.Exception;
        }

        ulong flags = decrement ? FlagMath.Sub(a, 1, 0, result, size) : FlagMath.Add(a, 1, 0, result, size);
        cpu.SetFlags(FlagMath.Status & ~RflagsBits.CF, flags);
        return ExitReason.Continue;
    }

    private static ExitReason Neg(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong a, MemoryAccess.Write))
        {
            return ExitReason.Exception;
        }

        ulong result = 0 - a;
        if (!cpu.TryWriteOperand(instruction, 0, size, result))
        {
            return ExitReason.Exception;
        }

        // CF = (source != 0) falls out of 0 - a as a borrow.
        cpu.SetStatusFlags(FlagMath.Sub(0, a, 0, result, size));
        return ExitReason.Continue;
    }
}
