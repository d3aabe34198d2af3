using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 LGDT/LIDT, SGDT/SIDT, LLDT/SLDT, LTR/STR, SMSW and LMSW. Loads are CPL 0 only
/// (#GP(0)); LLDT, SLDT, LTR and STR are #UD outside protected mode. With CR4.UMIP the stores
/// (SGDT, SIDT, SLDT, SMSW, STR) are #GP(0) above CPL 0. LGDT/LIDT with a 16-bit operand keep 24
/// base bits; SGDT/SIDT store the full 32-bit base outside 64-bit mode, 64 bits in it.
/// </summary>
public static class SystemTableInstructions
{
    /// <summary>CR4.UMIP: user-mode instruction prevention.</summary>
    public const ulong Cr4Umip = 1UL << 11;

    private const int TypeAvailableTss16 = 1;
    private const int TypeAvailableTss32 = 9;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        foreach (Code code in new[] { Code.Lgdt_m1632_16, Code.Lgdt_m1632, Code.Lgdt_m1664 })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => LoadTable(c, i, global: true));
        }

        foreach (Code code in new[] { Code.Lidt_m1632_16, Code.Lidt_m1632, Code.Lidt_m1664 })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => LoadTable(c, i, global: false));
        }

        foreach (Code code in new[] { Code.Sgdt_m1632_16, Code.Sgdt_m1632, Code.Sgdt_m1664 })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => StoreTable(c, i, global: true));
        }

        foreach (Code code in new[] { Code.Sidt_m1632_16, Code.Sidt_m1632, Code.Sidt_m1664 })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => StoreTable(c, i, global: false));
        }

        foreach (Code code in new[] { Code.Lldt_rm16, Code.Lldt_r32m16, Code.Lldt_r64m16 })
        {
            table.Add(code, Lldt);
        }

        foreach (Code code in new[] { Code.Ltr_rm16, Code.Ltr_r32m16, Code.Ltr_r64m16 })
        {
            table.Add(code, Ltr);
        }

        foreach (Code code in new[] { Code.Sldt_rm16, Code.Sldt_r32m16, Code.Sldt_r64m16 })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => StoreSelector(c, i, c.State.Ldtr.Selector));
        }

        foreach (Code code in new[] { Code.Str_rm16, Code.Str_r32m16, Code.Str_r64m16 })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => StoreSelector(c, i, c.State.Tr.Selector));
        }

        foreach (Code code in new[] { Code.Smsw_rm16, Code.Smsw_r32m16, Code.Smsw_r64m16 })
        {
            table.Add(code, Smsw);
        }

        foreach (Code code in new[] { Code.Lmsw_rm16, Code.Lmsw_r32m16, Code.Lmsw_r64m16 })
        {
            table.Add(code, Lmsw);
        }
    }

    /// <summary>CR4.UMIP blocks the store instructions above CPL 0.</summary>
    private static bool UmipBlocks(in CpuState s) => (s.Cr4 & Cr4Umip) != 0 && s.ProtectedMode && s.Cpl > 0;

    private static bool RealOrVirtual8086(in CpuState s) => !s.ProtectedMode || (s.Rflags & RflagsBits.VM) != 0;

    private static ExitReason LoadTable(ExecutionContext cpu, in Instruction instruction, bool global)
    {
        ref CpuState s = ref cpu.State;
        if (instruction.Op0Kind != OpKind.Memory)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (s.Cpl != 0 && s.ProtectedMode)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        bool wide = s.In64BitMode;
        ulong offset = cpu.EffectiveAddress(instruction);
        if (!cpu.TryReadSegmented(instruction.MemorySegment, offset, 2, out ulong limit)
            || !cpu.TryReadSegmented(instruction.MemorySegment, offset + 2, wide ? 8 : 4, out ulong @base))
        {
            return ExitReason.Exception;
        }

        if (instruction.Code is Code.Lgdt_m1632_16 or Code.Lidt_m1632_16)
        {
            @base &= 0xFF_FFFF;
        }

        if (wide && !SystemAccess.IsCanonical(@base))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        var value = new DescriptorTable { Base = @base, Limit = (uint)limit };
        if (global)
        {
            s.Gdtr = value;
        }
        else
        {
            s.Idtr = value;
        }

        return ExitReason.Continue;
    }

    private static ExitReason StoreTable(ExecutionContext cpu, in Instruction instruction, bool global)
    {
        ref CpuState s = ref cpu.State;
        if (instruction.Op0Kind != OpKind.Memory)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (UmipBlocks(s))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        DescriptorTable table = global ? s.Gdtr : s.Idtr;
        bool wide = s.In64BitMode;
        ulong offset = cpu.EffectiveAddress(instruction);
        int baseSize = wide ? 8 : 4;

        // Both parts are checked before either is written, so a fault leaves memory untouched.
        if (!cpu.TryApplySegment(instruction.MemorySegment, offset, 2 + baseSize, MemoryAccess.Write, out _))
        {
            return ExitReason.Exception;
        }

        return cpu.TryWriteSegmented(instruction.MemorySegment, offset + 2, baseSize, wide ? table.Base : table.Base & 0xFFFF_FFFF)
            && cpu.TryWriteSegmented(instruction.MemorySegment, offset, 2, table.Limit & 0xFFFF)
            ? ExitReason.Continue : ExitReason.Exception;
    }

    private static ExitReason Lldt(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if (RealOrVirtual8086(s))
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (s.Cpl != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (!cpu.TryReadOperand(instruction, 0, 2, out ulong value))
        {
            return ExitReason.Exception;
        }

        ushort selector = (ushort)value;
        if ((selector & 0xFFFC) == 0)
        {
            s.Ldtr = new SegmentCache(selector, 0, 0, 0);
            return ExitReason.Continue;
        }

        if (!TryReadSystemDescriptor(cpu, selector, out SegmentDescriptor d, out ulong upper, out _, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        if ((d.High & (SegmentFlags.CodeOrData | SegmentFlags.TypeMask)) != (uint)SegmentFlags.TypeLdt << SegmentFlags.TypeShift)
        {
            return cpu.Raise(CpuFault.GeneralProtection(selector & 0xFFFCu));
        }

        if (!d.Present)
        {
            return cpu.Raise(SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, selector & 0xFFFCu));
        }

        SegmentCache cache = d.ToCache(selector);
        cache.Base |= (upper & 0xFFFF_FFFF) << 32;
        s.Ldtr = cache;
        return ExitReason.Continue;
    }

    private static ExitReason Ltr(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if (RealOrVirtual8086(s))
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (s.Cpl != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (!cpu.TryReadOperand(instruction, 0, 2, out ulong value))
        {
            return ExitReason.Exception;
        }

        ushort selector = (ushort)value;
        if ((selector & 0xFFFC) == 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (!TryReadSystemDescriptor(cpu, selector, out SegmentDescriptor d, out ulong upper, out ulong address, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        int type = (int)((d.High & SegmentFlags.TypeMask) >> SegmentFlags.TypeShift);
        bool available = (d.High & SegmentFlags.CodeOrData) == 0
            && (type == TypeAvailableTss32 || (type == TypeAvailableTss16 && !s.LongModeActive));
        if (!available)
        {
            return cpu.Raise(CpuFault.GeneralProtection(selector & 0xFFFCu));
        }

        if (!d.Present)
        {
            return cpu.Raise(SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, selector & 0xFFFCu));
        }

        // The busy bit (type bit 1) is set in memory and in TR's cache.
        if (!DescriptorTables.TrySetTypeBits(cpu, address, d, 2, out fault))
        {
            return cpu.Raise(fault);
        }

        SegmentCache cache = new SegmentDescriptor(d.Raw | (2UL << 40)).ToCache(selector);
        cache.Base |= (upper & 0xFFFF_FFFF) << 32;
        s.Tr = cache;
        return ExitReason.Continue;
    }

    /// <summary>An LDT or TSS descriptor: in the GDT only (#GP(sel)); 16 bytes in IA-32e mode, whose upper type field must be 0.</summary>
    private static bool TryReadSystemDescriptor(ExecutionContext cpu, ushort selector, out SegmentDescriptor descriptor, out ulong upper, out ulong address, out CpuFault fault)
    {
        ref CpuState s = ref cpu.State;
        descriptor = default;
        upper = 0;
        address = 0;
        CpuFault bad = CpuFault.GeneralProtection(selector & 0xFFFCu);
        if ((selector & 4) != 0 || !DescriptorTables.TryLocate(s, selector, s.LongModeActive ? 16 : 8, out address))
        {
            fault = bad;
            return false;
        }

        if (!DescriptorTables.TryRead(cpu, selector, ExceptionVector.GeneralProtection, out address, out descriptor, out fault))
        {
            return false;
        }

        if (s.LongModeActive)
        {
            if (!DescriptorTables.TryReadUpper(cpu, address, out upper, out fault))
            {
                return false;
            }

            if (((upper >> 40) & 0x1F) != 0 || !SystemAccess.IsCanonical(((upper & 0xFFFF_FFFF) << 32) | descriptor.Base))
            {
                fault = bad;
                return false;
            }
        }

        fault = default;
        return true;
    }

    private static ExitReason StoreSelector(ExecutionContext cpu, in Instruction instruction, ushort selector)
    {
        ref CpuState s = ref cpu.State;
        if (RealOrVirtual8086(s))
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (UmipBlocks(s))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        return StoreWord(cpu, instruction, selector);
    }

    /// <summary>A register destination takes the value zero-extended to its size; memory takes 16 bits.</summary>
    private static ExitReason StoreWord(ExecutionContext cpu, in Instruction instruction, ulong value)
    {
        if (instruction.Op0Kind == OpKind.Register)
        {
            Register target = instruction.Op0Register;
            cpu.WriteRegister(target, value & FlagMath.Mask(target.GetSize()));
            return ExitReason.Continue;
        }

        return cpu.TryWriteOperand(instruction, 0, 2, value & 0xFFFF) ? ExitReason.Continue : ExitReason.Exception;
    }

    private static ExitReason Smsw(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        return UmipBlocks(s) ? cpu.Raise(CpuFault.GeneralProtection()) : StoreWord(cpu, instruction, s.Cr0);
    }

    /// <summary>Loads CR0 bits 0-3 (PE, MP, EM, TS); PE can be set but not cleared.</summary>
    private static ExitReason Lmsw(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if (s.Cpl != 0 && s.ProtectedMode)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (!cpu.TryReadOperand(instruction, 0, 2, out ulong value))
        {
            return ExitReason.Exception;
        }

        ulong old = s.Cr0;
        ulong cr0 = (old & ~0xFUL) | (value & 0xF) | (old & Cr0Bits.PE);
        if (!ControlRegisterWrites.TryWriteCr0(ref s, cr0))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (((old ^ s.Cr0) & Cr0Bits.PE) != 0)
        {
            ControlRegisterInstructions.TranslationChanged(cpu, flushAll: true, 0);
        }

        return ExitReason.Continue;
    }
}
