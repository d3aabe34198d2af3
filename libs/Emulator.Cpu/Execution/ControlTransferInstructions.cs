using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 1, 6.3 "Calling Procedures Using CALL and RET" and 7.3.8 "Control Transfer
/// Instructions"; vol. 2 JMP, Jcc, CALL, RET, LOOP/LOOPcc, JCXZ/JECXZ/JRCXZ (near forms only; far
/// forms are in <see cref="FarTransferInstructions"/>, registered after these). A 64-bit target that is not canonical raises #GP(0)
/// before anything changes.
/// </summary>
public static class ControlTransferInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Jmp, Jmp);
        table.Add(Mnemonic.Call, Call);
        table.Add(Mnemonic.Ret, Ret);
        foreach (Mnemonic jcc in new[]
        {
            Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne, Mnemonic.Jbe, Mnemonic.Ja,
            Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl, Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg,
        })
        {
            table.Add(jcc, Jcc);
        }

        table.Add(Mnemonic.Jcxz, (ExecutionContext c, in Instruction i) => JumpIfCounterZero(c, i, Register.CX));
        table.Add(Mnemonic.Jecxz, (ExecutionContext c, in Instruction i) => JumpIfCounterZero(c, i, Register.ECX));
        table.Add(Mnemonic.Jrcxz, (ExecutionContext c, in Instruction i) => JumpIfCounterZero(c, i, Register.RCX));
        foreach (Mnemonic loop in new[] { Mnemonic.Loop, Mnemonic.Loope, Mnemonic.Loopne })
        {
            foreach (Code code in table.CodesOf(loop))
            {
                // The counter is named by the code (the address size): ..._CX, ..._ECX or ..._RCX.
                string name = code.ToString();
                Register counter = name.EndsWith("_RCX", StringComparison.Ordinal) ? Register.RCX
                    : name.EndsWith("_ECX", StringComparison.Ordinal) ? Register.ECX
                    : Register.CX;
                Mnemonic kind = loop;
                table.Add(code, (ExecutionContext c, in Instruction i) => Loop(c, i, counter, kind));
            }
        }
    }

    /// <summary>Sets RIP, or #GP(0) for a non-canonical 64-bit target.</summary>
    public static ExitReason Branch(ExecutionContext cpu, ulong target)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        if (cpu.State.In64BitMode && !IsCanonical(target))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        cpu.State.Rip = target;
        return ExitReason.Continue;
    }

    /// <summary>Bits 63:47 all equal (48-bit linear addresses).</summary>
    public static bool IsCanonical(ulong address) => (ulong)(((long)address << 16) >> 16) == address;

    private static bool TryTarget(ExecutionContext cpu, in Instruction instruction, out ulong target)
    {
        switch (instruction.Op0Kind)
        {
            case OpKind.NearBranch16:
            case OpKind.NearBranch32:
            case OpKind.NearBranch64:
                target = instruction.NearBranchTarget;
                return true;
            default:
                return cpu.TryReadOperand(instruction, 0, ExecutionContext.OperandSize(instruction, 0), out target);
        }
    }

    private static ExitReason Jmp(ExecutionContext cpu, in Instruction instruction)
    {
        if (instruction.IsJmpFar || instruction.IsJmpFarIndirect)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        return TryTarget(cpu, instruction, out ulong target) ? Branch(cpu, target) : ExitReason.Exception;
    }

    private static ExitReason Jcc(ExecutionContext cpu, in Instruction instruction) =>
        cpu.Condition(instruction.ConditionCode) ? Branch(cpu, instruction.NearBranchTarget) : ExitReason.Continue;

    private static ExitReason Call(ExecutionContext cpu, in Instruction instruction)
    {
        if (instruction.IsCallFar || instruction.IsCallFarIndirect)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (!TryTarget(cpu, instruction, out ulong target))
        {
            return ExitReason.Exception;
        }

        if (cpu.State.In64BitMode && !IsCanonical(target))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        int size = -instruction.StackPointerIncrement;
        if (!cpu.TryPush(instruction.NextIP & FlagMath.Mask(size), size))
        {
            return ExitReason.Exception;
        }

        cpu.State.Rip = target;
        return ExitReason.Continue;
    }

    private static ExitReason Ret(ExecutionContext cpu, in Instruction instruction)
    {
        int size = instruction.Code switch
        {
            Code.Retnw or Code.Retnw_imm16 => 2,
            Code.Retnd or Code.Retnd_imm16 => 4,
            _ => 8,
        };
        if (!cpu.TryPeek(size, out ulong target))
        {
            return ExitReason.Exception;
        }

        if (cpu.State.In64BitMode && !IsCanonical(target))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        cpu.SetStackPointer(cpu.StackPointer + (ulong)instruction.StackPointerIncrement);
        cpu.State.Rip = target;
        return ExitReason.Continue;
    }

    private static ExitReason JumpIfCounterZero(ExecutionContext cpu, in Instruction instruction, Register counter) =>
        cpu.ReadRegister(counter) == 0 ? Branch(cpu, instruction.NearBranchTarget) : ExitReason.Continue;

    private static ExitReason Loop(ExecutionContext cpu, in Instruction instruction, Register counter, Mnemonic kind)
    {
        ulong count = (cpu.ReadRegister(counter) - 1) & FlagMath.Mask(counter.GetSize());
        bool zf = cpu.GetFlag(RflagsBits.ZF);
        bool taken = count != 0 && kind switch
        {
            Mnemonic.Loope => zf,
            Mnemonic.Loopne => !zf,
            _ => true,
        };
        if (taken)
        {
            ExitReason reason = Branch(cpu, instruction.NearBranchTarget);
            if (reason != ExitReason.Continue)
            {
                return reason;
            }
        }

        cpu.WriteRegister(counter, count);
        return ExitReason.Continue;
    }
}
