using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 1, 7.3.1 "Data Transfer Instructions" and 7.3.1.3 "Type Conversion Instructions";
/// vol. 2 MOV (general-purpose forms; segment, control and debug registers are #UD here until the
/// system instructions land), MOVZX, MOVSX, MOVSXD, LEA, CMOVcc, SETcc, CBW/CWDE/CDQE, CWD/CDQ/CQO.
/// None changes a flag. CMOVcc reads its source whatever the condition (so it can fault) and, with
/// a 32-bit destination, zero-extends it even when the condition is false.
/// </summary>
public static class DataTransferInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Mov, Mov);
        table.Add(Mnemonic.Movzx, (ExecutionContext c, in Instruction i) => Extend(c, i, signed: false));
        table.Add(Mnemonic.Movsx, (ExecutionContext c, in Instruction i) => Extend(c, i, signed: true));
        table.Add(Mnemonic.Movsxd, (ExecutionContext c, in Instruction i) => Extend(c, i, signed: true));
        table.Add(Mnemonic.Lea, Lea);
        foreach (Mnemonic cmov in new[]
        {
            Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne, Mnemonic.Cmovbe, Mnemonic.Cmova,
            Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp, Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg,
        })
        {
            table.Add(cmov, Cmov);
        }

        foreach (Mnemonic set in new[]
        {
            Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne, Mnemonic.Setbe, Mnemonic.Seta,
            Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp, Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg,
        })
        {
            table.Add(set, Setcc);
        }

        table.Add(Mnemonic.Cbw, (ExecutionContext c, in Instruction i) => ExtendAccumulator(c, Register.AL, Register.AX));
        table.Add(Mnemonic.Cwde, (ExecutionContext c, in Instruction i) => ExtendAccumulator(c, Register.AX, Register.EAX));
        table.Add(Mnemonic.Cdqe, (ExecutionContext c, in Instruction i) => ExtendAccumulator(c, Register.EAX, Register.RAX));
        table.Add(Mnemonic.Cwd, (ExecutionContext c, in Instruction i) => SignIntoDx(c, 2));
        table.Add(Mnemonic.Cdq, (ExecutionContext c, in Instruction i) => SignIntoDx(c, 4));
        table.Add(Mnemonic.Cqo, (ExecutionContext c, in Instruction i) => SignIntoDx(c, 8));
    }

    private static ExitReason Mov(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 1, size, out ulong value))
        {
            return ExitReason.Exception;
        }

        return cpu.TryWriteOperand(instruction, 0, size, value) ? ExitReason.Continue : ExitReason.Exception;
    }

    private static ExitReason Extend(ExecutionContext cpu, in Instruction instruction, bool signed)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        int sourceSize = ExecutionContext.OperandSize(instruction, 1);
        if (!cpu.TryReadOperand(instruction, 1, sourceSize, out ulong value))
        {
            return ExitReason.Exception;
        }

        if (signed)
        {
            value = (ulong)FlagMath.SignExtend(value, sourceSize);
        }

        cpu.WriteRegister(instruction.Op0Register, value & FlagMath.Mask(size));
        return ExitReason.Continue;
    }

    private static ExitReason Lea(ExecutionContext cpu, in Instruction instruction)
    {
        Register destination = instruction.Op0Register;
        cpu.WriteRegister(destination, cpu.EffectiveAddress(instruction) & FlagMath.Mask(destination.GetSize()));
        return ExitReason.Continue;
    }

    private static ExitReason Cmov(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 1, size, out ulong value))
        {
            return ExitReason.Exception;
        }

        Register destination = instruction.Op0Register;
        cpu.WriteRegister(destination, cpu.Condition(instruction.ConditionCode) ? value : cpu.ReadRegister(destination));
        return ExitReason.Continue;
    }

    private static ExitReason Setcc(ExecutionContext cpu, in Instruction instruction) =>
        cpu.TryWriteOperand(instruction, 0, 1, cpu.Condition(instruction.ConditionCode) ? 1UL : 0)
            ? ExitReason.Continue
            : ExitReason.Exception;

    private static ExitReason ExtendAccumulator(ExecutionContext cpu, Register source, Register destination)
    {
        ulong value = (ulong)FlagMath.SignExtend(cpu.ReadRegister(source), source.GetSize());
        cpu.WriteRegister(destination, value & FlagMath.Mask(destination.GetSize()));
        return ExitReason.Continue;
    }

    private static ExitReason SignIntoDx(ExecutionContext cpu, int size)
    {
        bool negative = FlagMath.IsNegative(cpu.ReadRegister(ExecutionContext.Gpr(0, size)), size);
        cpu.WriteRegister(ExecutionContext.Gpr(2, size), negative ? ulong.MaxValue : 0);
        return ExitReason.Continue;
    }
}
