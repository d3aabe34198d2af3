using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 LAR, LSL, VERR, VERW and ARPL: protected mode only (#UD in real and
/// virtual-8086 mode). LAR/LSL/VERR/VERW never fault on the selector itself: a null selector, one
/// outside its table, a type the instruction does not accept (SDM tables under LAR and LSL; IA-32e
/// mode accepts fewer system types) or a privilege mismatch clears ZF and leaves the destination.
/// In 64-bit mode opcode 63h is MOVSXD (see <see cref="DataTransferInstructions"/>), never ARPL.
/// </summary>
public static class DescriptorQueryInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        foreach (Code code in new[] { Code.Lar_r16_rm16, Code.Lar_r32_r32m16, Code.Lar_r64_r64m16 })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => Query(c, i, limit: false));
        }

        foreach (Code code in new[] { Code.Lsl_r16_rm16, Code.Lsl_r32_r32m16, Code.Lsl_r64_r64m16 })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => Query(c, i, limit: true));
        }

        foreach (Code code in new[] { Code.Verr_rm16, Code.Verr_r32m16, Code.Verr_r64m16 })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => Verify(c, i, write: false));
        }

        foreach (Code code in new[] { Code.Verw_rm16, Code.Verw_r32m16, Code.Verw_r64m16 })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => Verify(c, i, write: true));
        }

        table.Add(Code.Arpl_rm16_r16, Arpl);
        table.Add(Code.Arpl_r32m16_r32, Arpl);
    }

    /// <summary>Whether a system descriptor of <paramref name="type"/> is visible to LAR (or LSL when <paramref name="limit"/>).</summary>
    public static bool SystemTypeAccepted(int type, bool limit, bool longMode) => longMode
        ? type is 2 or 9 or 11 || (!limit && type == 12)
        : type is 1 or 2 or 3 or 9 or 11 || (!limit && type is 4 or 5 or 12);

    private static bool RealOrVirtual8086(in CpuState s) => !s.ProtectedMode || (s.Rflags & RflagsBits.VM) != 0;

    /// <summary>Reads the selector's descriptor; false (ZF=0, no fault) for a null selector or one outside its table.</summary>
    private static bool TryFind(ExecutionContext cpu, ushort selector, out SegmentDescriptor descriptor, out bool faulted)
    {
        descriptor = default;
        faulted = false;
        if ((selector & 0xFFFC) == 0 || !DescriptorTables.TryLocate(cpu.State, selector, 8, out _))
        {
            return false;
        }

        if (!DescriptorTables.TryRead(cpu, selector, ExceptionVector.GeneralProtection, out _, out descriptor, out CpuFault fault))
        {
            cpu.Raise(fault);
            faulted = true;
            return false;
        }

        return true;
    }

    /// <summary>Non-conforming code, data and system descriptors need DPL &gt;= CPL and DPL &gt;= RPL.</summary>
    private static bool PrivilegeAllows(in CpuState s, SegmentDescriptor d, ushort selector)
    {
        bool conformingCode = d.IsCode && d.Conforming;
        return conformingCode || (d.Dpl >= s.Cpl && d.Dpl >= (selector & 3));
    }

    private static ExitReason Query(ExecutionContext cpu, in Instruction instruction, bool limit)
    {
        ref CpuState s = ref cpu.State;
        if (RealOrVirtual8086(s))
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (!cpu.TryReadOperand(instruction, 1, 2, out ulong value))
        {
            return ExitReason.Exception;
        }

        ushort selector = (ushort)value;
        if (!TryFind(cpu, selector, out SegmentDescriptor d, out bool faulted))
        {
            return faulted ? ExitReason.Exception : ClearZf(cpu);
        }

        bool codeOrData = (d.High & SegmentFlags.CodeOrData) != 0;
        int type = (int)((d.High & SegmentFlags.TypeMask) >> SegmentFlags.TypeShift);
        if ((!codeOrData && !SystemTypeAccepted(type, limit, s.LongModeActive)) || !PrivilegeAllows(s, d, selector))
        {
            return ClearZf(cpu);
        }

        Register target = instruction.Op0Register;
        ulong result = limit ? d.Limit : d.High & 0x00F0_FF00;
        cpu.WriteRegister(target, result & FlagMath.Mask(target.GetSize()));
        cpu.SetFlags(RflagsBits.ZF, RflagsBits.ZF);
        return ExitReason.Continue;
    }

    private static ExitReason Verify(ExecutionContext cpu, in Instruction instruction, bool write)
    {
        ref CpuState s = ref cpu.State;
        if (RealOrVirtual8086(s))
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (!cpu.TryReadOperand(instruction, 0, 2, out ulong value))
        {
            return ExitReason.Exception;
        }

        ushort selector = (ushort)value;
        if (!TryFind(cpu, selector, out SegmentDescriptor d, out bool faulted))
        {
            return faulted ? ExitReason.Exception : ClearZf(cpu);
        }

        bool ok = (d.High & SegmentFlags.CodeOrData) != 0 && PrivilegeAllows(s, d, selector)
            && (write ? d.IsWritableData : !d.IsCode || (d.High & SegmentFlags.ReadableOrWritable) != 0);
        cpu.SetFlags(RflagsBits.ZF, ok ? RflagsBits.ZF : 0);
        return ExitReason.Continue;
    }

    private static ExitReason ClearZf(ExecutionContext cpu)
    {
        cpu.SetFlags(RflagsBits.ZF, 0);
        return ExitReason.Continue;
    }

    private static ExitReason Arpl(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if (RealOrVirtual8086(s))
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (!cpu.TryReadOperand(instruction, 0, 2, out ulong destination, MemoryAccess.Write))
        {
            return ExitReason.Exception;
        }

        ulong source = cpu.ReadRegister(instruction.Op1Register) & 0xFFFF;
        if ((destination & 3) < (source & 3))
        {
            ulong adjusted = (destination & ~3UL) | (source & 3);
            if (instruction.Op0Kind == OpKind.Register)
            {
                // Only the low 16 bits of a 32-bit register destination change.
                Register target = instruction.Op0Register;
                cpu.WriteRegister(target.GetSize() == 4 ? Register.AX + (target - Register.EAX) : target, adjusted);
            }
            else if (!cpu.TryWriteOperand(instruction, 0, 2, adjusted))
            {
                return ExitReason.Exception;
            }

            cpu.SetFlags(RflagsBits.ZF, RflagsBits.ZF);
            return ExitReason.Continue;
        }

        return ClearZf(cpu);
    }
}
