using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 1, 7.3.1.2 "Exchange Instructions"; vol. 2 XCHG, XADD, CMPXCHG. The memory operand
/// is written first so a fault leaves the registers untouched. CMPXCHG writes its destination back
/// even when the comparison fails (so a read-only page faults either way), as the manual specifies.
/// Atomicity against other vCPUs and device servers is not modelled yet (single vCPU thread).
/// </summary>
public static class ExchangeInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Xchg, Xchg, lockable: true);
        table.Add(Mnemonic.Xadd, Xadd, lockable: true);
        table.Add(Mnemonic.Cmpxchg, Cmpxchg, lockable: true);
    }

    private static ExitReason Xchg(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong a, MemoryAccess.Write) || !cpu.TryReadOperand(instruction, 1, size, out ulong b, MemoryAccess.Write))
        {
            return ExitReason.Exception;
        }

        int memoryOperand = instruction.Op1Kind == OpKind.Memory ? 1 : 0;
        int other = 1 - memoryOperand;
        ulong toMemorySide = memoryOperand == 0 ? b : a;
        ulong toOtherSide = memoryOperand == 0 ? a : b;
        if (!cpu.TryWriteOperand(instruction, memoryOperand, size, toMemorySide))
        {
            return ExitReason.Exception;
        }

        cpu.TryWriteOperand(instruction, other, size, toOtherSide);
        return ExitReason.Continue;
    }

    private static ExitReason Xadd(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong destination, MemoryAccess.Write) || !cpu.TryReadOperand(instruction, 1, size, out ulong source))
        {
            return ExitReason.Exception;
        }

        ulong sum = destination + source;
        if (instruction.Op0Kind == OpKind.Memory)
        {
            if (!cpu.TryWriteOperand(instruction, 0, size, sum))
            {
                return ExitReason.Exception;
            }

            cpu.WriteRegister(instruction.Op1Register, destination);
        }
        else
        {
            // XADD r, r: the source gets the old destination, then the destination the sum (same register: the sum wins).
            cpu.WriteRegister(instruction.Op1Register, destination);
            cpu.WriteRegister(instruction.Op0Register, sum & FlagMath.Mask(size));
        }

        cpu.SetStatusFlags(FlagMath.Add(destination, source, 0, sum, size));
        return ExitReason.Continue;
    }

    private static ExitReason Cmpxchg(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong destination, MemoryAccess.Write) || !cpu.TryReadOperand(instruction, 1, size, out ulong source))
        {
            return ExitReason.Exception;
        }

        Register accumulatorRegister = ExecutionContext.Gpr(0, size);
        ulong accumulator = cpu.ReadRegister(accumulatorRegister);
        bool equal = accumulator == destination;
        if (equal || instruction.Op0Kind == OpKind.Memory)
        {
            if (!cpu.TryWriteOperand(instruction, 0, size, equal ? source : destination))
            {
                return ExitReason.Exception;
            }
        }

        if (!equal)
        {
            cpu.WriteRegister(accumulatorRegister, destination);
        }

        cpu.SetStatusFlags(FlagMath.Sub(accumulator, destination, 0, accumulator - destination, size));
        return ExitReason.Continue;
    }
}
