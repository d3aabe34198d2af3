using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 PUSH and POP (general-purpose registers, memory, immediates). PUSH RSP pushes
/// the value before the decrement; POP to a memory operand computes its address with the stack
/// pointer already incremented (as the manual specifies). Stack accesses take SS's limit checks (#SS(0));
/// segment-register forms are in <see cref="SegmentRegisterInstructions"/>.
/// </summary>
public static class StackInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Push, Push);
        table.Add(Mnemonic.Pop, Pop);
    }

    private static ExitReason Push(ExecutionContext cpu, in Instruction instruction)
    {
        int size = -instruction.StackPointerIncrement;
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong value))
        {
            return ExitReason.Exception;
        }

        return cpu.TryPush(value, size) ? ExitReason.Continue : ExitReason.Exception;
    }

    private static ExitReason Pop(ExecutionContext cpu, in Instruction instruction)
    {
        int size = instruction.StackPointerIncrement;
        if (!cpu.TryPeek(size, out ulong value))
        {
            return ExitReason.Exception;
        }

        ulong oldRsp = cpu.State.Gpr[(int)GeneralRegister.Rsp];
        cpu.SetStackPointer(cpu.StackPointer + (ulong)size);
        if (!cpu.TryWriteOperand(instruction, 0, size, value))
        {
            cpu.State.Gpr[(int)GeneralRegister.Rsp] = oldRsp;
            return ExitReason.Exception;
        }

        return ExitReason.Continue;
    }
}
