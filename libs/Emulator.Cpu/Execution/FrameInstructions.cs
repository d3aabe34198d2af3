using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 ENTER and LEAVE: procedure frames. The stack pointer's width follows SS.B (or 64
/// in 64-bit mode), the frame pointer value's width the operand size. Both are all-or-nothing: a
/// fault on any stack access leaves RSP and RBP as they were (memory below the old stack pointer may
/// have been written). Like QEMU, ENTER does not probe the new stack top it allocates.
/// </summary>
public static class FrameInstructions
{
    /// <summary>ENTER takes its nesting level modulo 32.</summary>
    private const int NestingMask = 31;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Leave, Leave);
        table.Add(Mnemonic.Enter, Enter);
    }

    private static int OperandSize(in Instruction instruction) => instruction.Code switch
    {
        Code.Leavew or Code.Enterw_imm16_imm8 => 2,
        Code.Leaved or Code.Enterd_imm16_imm8 => 4,
        _ => 8,
    };

    private static ExitReason Leave(ExecutionContext cpu, in Instruction instruction)
    {
        int size = OperandSize(instruction);
        ref ulong rsp = ref cpu.State.Gpr[(int)GeneralRegister.Rsp];
        ulong oldRsp = rsp;
        cpu.SetStackPointer(cpu.State.Gpr[(int)GeneralRegister.Rbp]);
        if (!cpu.TryPeek(size, out ulong frame))
        {
            rsp = oldRsp;
            return ExitReason.Exception;
        }

        cpu.SetStackPointer(cpu.StackPointer + (ulong)size);
        WriteFramePointer(cpu, size, frame);
        return ExitReason.Continue;
    }

    private static ExitReason Enter(ExecutionContext cpu, in Instruction instruction)
    {
        int size = OperandSize(instruction);
        ulong allocation = instruction.Immediate16;
        int nesting = instruction.Immediate8_2nd & NestingMask;
        ulong stackMask = FlagMath.Mask(cpu.StackAddressSize);
        ref ulong rsp = ref cpu.State.Gpr[(int)GeneralRegister.Rsp];
        ulong oldRsp = rsp;
        ulong rbp = cpu.State.Gpr[(int)GeneralRegister.Rbp];
        if (!cpu.TryPush(rbp, size))
        {
            return ExitReason.Exception;
        }

        ulong frameTemp = cpu.StackPointer;
        if (nesting > 0)
        {
            // The enclosing frames' pointers are copied from the old frame, each one operand below the last.
            ulong framePointer = rbp;
            for (int level = 1; level < nesting; level++)
            {
                framePointer = (framePointer - (ulong)size) & stackMask;
                if (!cpu.TryReadSegmented(Register.SS, framePointer, size, out ulong link) || !cpu.TryPush(link, size))
                {
                    rsp = oldRsp;
                    return ExitReason.Exception;
                }
            }

            if (!cpu.TryPush(frameTemp, size))
            {
                rsp = oldRsp;
                return ExitReason.Exception;
            }
        }

        ulong newRsp = (cpu.StackPointer - allocation) & stackMask;

        SetFramePointerForStack(cpu, frameTemp);
        cpu.SetStackPointer(newRsp);
        return ExitReason.Continue;
    }

    /// <summary>LEAVE's pop: BP, EBP (zero-extended) or RBP by operand size.</summary>
    private static void WriteFramePointer(ExecutionContext cpu, int size, ulong value)
    {
        Register target = size switch { 2 => Register.BP, 4 => Register.EBP, _ => Register.RBP };
        cpu.WriteRegister(target, value);
    }

    /// <summary>ENTER's frame pointer: BP, EBP or RBP by the stack's width (SDM's pseudocode).</summary>
    private static void SetFramePointerForStack(ExecutionContext cpu, ulong frameTemp)
    {
        Register target = cpu.StackAddressSize switch { 2 => Register.BP, 4 => Register.EBP, _ => Register.RBP };
        cpu.WriteRegister(target, frameTemp);
    }
}
