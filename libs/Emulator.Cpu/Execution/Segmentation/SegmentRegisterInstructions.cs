using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 MOV to/from a segment register, PUSH/POP of segment registers and
/// LDS/LES/LFS/LGS/LSS. Loads go through <see cref="SegmentLoads"/>; MOV SS and POP SS block
/// interrupts for one instruction (LSS does not). MOV r32/r64, Sreg zero-extends; PUSH Sreg pushes the selector
/// zero-extended to the operand size (AMD APM behaviour; Intel may write only 16 bits).
/// Codes invalid in 64-bit mode (PUSH/POP ES/CS/SS/DS, LDS, LES) never decode there.
/// </summary>
public static class SegmentRegisterInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        const OperandRegisters both = OperandRegisters.Segment | OperandRegisters.General;
        foreach (Code code in new[] { Code.Mov_rm16_Sreg, Code.Mov_r32m16_Sreg, Code.Mov_r64m16_Sreg })
        {
            table.Add(code, MovFromSegment, both);
        }

        foreach (Code code in new[] { Code.Mov_Sreg_rm16, Code.Mov_Sreg_r32m16, Code.Mov_Sreg_r64m16 })
        {
            table.Add(code, MovToSegment, both);
        }

        foreach (Code code in new[]
        {
            Code.Pushw_ES, Code.Pushd_ES, Code.Pushw_CS, Code.Pushd_CS, Code.Pushw_SS, Code.Pushd_SS, Code.Pushw_DS, Code.Pushd_DS,
            Code.Pushw_FS, Code.Pushd_FS, Code.Pushq_FS, Code.Pushw_GS, Code.Pushd_GS, Code.Pushq_GS,
        })
        {
            table.Add(code, PushSegment, OperandRegisters.Segment);
        }

        foreach (Code code in new[]
        {
            Code.Popw_ES, Code.Popd_ES, Code.Popw_SS, Code.Popd_SS, Code.Popw_DS, Code.Popd_DS,
            Code.Popw_FS, Code.Popd_FS, Code.Popq_FS, Code.Popw_GS, Code.Popd_GS, Code.Popq_GS,
        })
        {
            table.Add(code, PopSegment, OperandRegisters.Segment);
        }

        AddFarPointerLoad(table, SegmentRegister.Ds, Code.Lds_r16_m1616, Code.Lds_r32_m1632);
        AddFarPointerLoad(table, SegmentRegister.Es, Code.Les_r16_m1616, Code.Les_r32_m1632);
        AddFarPointerLoad(table, SegmentRegister.Ss, Code.Lss_r16_m1616, Code.Lss_r32_m1632, Code.Lss_r64_m1664);
        AddFarPointerLoad(table, SegmentRegister.Fs, Code.Lfs_r16_m1616, Code.Lfs_r32_m1632, Code.Lfs_r64_m1664);
        AddFarPointerLoad(table, SegmentRegister.Gs, Code.Lgs_r16_m1616, Code.Lgs_r32_m1632, Code.Lgs_r64_m1664);
    }

    /// <summary>Loads a data or stack segment register; MOV SS and POP SS (<paramref name="shadow"/>) also open the one-instruction interrupt shadow, LSS does not.</summary>
    public static bool TryLoad(ExecutionContext cpu, SegmentRegister register, ushort selector, bool shadow = true)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        if (!SegmentLoads.TryDescribe(cpu, register, selector, out SegmentCache cache, out CpuFault fault))
        {
            cpu.Raise(fault);
            return false;
        }

        cpu.State.Segment(register) = cache;
        if (register == SegmentRegister.Ss && shadow)
        {
            cpu.State.InterruptShadow = 1;
        }

        return true;
    }

    private static void AddFarPointerLoad(DispatchTable table, SegmentRegister register, params Code[] codes)
    {
        foreach (Code code in codes)
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => LoadFarPointer(c, i, register));
        }
    }

    private static ExitReason MovFromSegment(ExecutionContext cpu, in Instruction instruction)
    {
        ushort selector = cpu.State.Segment(ExecutionContext.SegmentOf(instruction.Op1Register)).Selector;
        if (instruction.Op0Kind == OpKind.Register)
        {
            cpu.WriteRegister(instruction.Op0Register, selector);
            return ExitReason.Continue;
        }

        return cpu.TryWriteOperand(instruction, 0, 2, selector) ? ExitReason.Continue : ExitReason.Exception;
    }

    private static ExitReason MovToSegment(ExecutionContext cpu, in Instruction instruction)
    {
        Register target = instruction.Op0Register;
        if (target == Register.CS)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (!cpu.TryReadOperand(instruction, 1, 2, out ulong selector))
        {
            return ExitReason.Exception;
        }

        return TryLoad(cpu, ExecutionContext.SegmentOf(target), (ushort)selector) ? ExitReason.Continue : ExitReason.Exception;
    }

    private static ExitReason PushSegment(ExecutionContext cpu, in Instruction instruction)
    {
        int size = -instruction.StackPointerIncrement;
        ushort selector = cpu.State.Segment(ExecutionContext.SegmentOf(instruction.Op0Register)).Selector;
        return cpu.TryPush(selector, size) ? ExitReason.Continue : ExitReason.Exception;
    }

    private static ExitReason PopSegment(ExecutionContext cpu, in Instruction instruction)
    {
        int size = instruction.StackPointerIncrement;
        if (!cpu.TryPeek(size, out ulong value))
        {
            return ExitReason.Exception;
        }

        if (!TryLoad(cpu, ExecutionContext.SegmentOf(instruction.Op0Register), (ushort)value))
        {
            return ExitReason.Exception;
        }

        cpu.SetStackPointer(cpu.StackPointer + (ulong)size);
        return ExitReason.Continue;
    }

    /// <summary>
    /// Offset then selector from memory; the segment is loaded before the register is written, so a
    /// faulting load changes nothing. The selector's offset does not wrap: an operand straddling the
    /// segment limit faults.
    /// </summary>
    private static ExitReason LoadFarPointer(ExecutionContext cpu, in Instruction instruction, SegmentRegister register)
    {
        if (instruction.Op1Kind != OpKind.Memory)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        int size = instruction.Op0Register.GetSize();
        ulong offset = cpu.EffectiveAddress(instruction);
        if (!cpu.TryReadSegmented(instruction.MemorySegment, offset, size, out ulong pointer)
            || !cpu.TryReadSegmented(instruction.MemorySegment, offset + (ulong)size, 2, out ulong selector))
        {
            return ExitReason.Exception;
        }

        if (!TryLoad(cpu, register, (ushort)selector, shadow: false))
        {
            return ExitReason.Exception;
        }

        cpu.WriteRegister(instruction.Op0Register, pointer);
        return ExitReason.Continue;
    }
}
