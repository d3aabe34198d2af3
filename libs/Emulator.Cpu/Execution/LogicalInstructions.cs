using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 1, 7.3.4 "Logical Instructions"; vol. 2 AND, OR, XOR, TEST, NOT. OF and CF clear,
/// SF ZF PF by result; AF is undefined and cleared (as QEMU does); NOT changes no flag.
/// </summary>
public static class LogicalInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.And, (ExecutionContext c, in Instruction i) => Logic(c, i, static (a, b) => a & b, true), lockable: true);
        table.Add(Mnemonic.Or, (ExecutionContext c, in Instruction i) => Logic(c, i, static (a, b) => a | b, true), lockable: true);
        table.Add(Mnemonic.Xor, (ExecutionContext c, in Instruction i) => Logic(c, i, static (a, b) => a ^ b, true), lockable: true);
        table.Add(Mnemonic.Test, (ExecutionContext c, in Instruction i) => Logic(c, i, static (a, b) => a & b, false));
        table.Add(Mnemonic.Not, Not, lockable: true);
    }

    private static ExitReason Logic(ExecutionContext cpu, in Instruction instruction, Func<ulong, ulong, ulong> operation, bool writeBack)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        MemoryAccess access = writeBack ? MemoryAccess.Write : MemoryAccess.Read;
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong a, access) || !cpu.TryReadOperand(instruction, 1, size, out ulong b))
        {
            return ExitReason.Exception;
        }

        ulong result = operation(a, b);
        if (writeBack && !cpu.TryWriteOperand(instruction, 0, size, result))
        {
            return ExitReason.Exception;
        }

        cpu.SetStatusFlags(FlagMath.Logic(result, size));
        return ExitReason.Continue;
    }

    private static ExitReason Not(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong a, MemoryAccess.Write))
        {
            return ExitReason.Exception;
        }

        return cpu.TryWriteOperand(instruction, 0, size, ~a) ? ExitReason.Continue : ExitReason.Exception;
    }
}
