using System.Buffers.Binary;

namespace Emulator.Cpu;

/// <summary>
/// Legacy hardware task switching (Intel SDM vol. 3, 7.3 "Task Switching"; QEMU's <c>switch_tss_ra</c>)
/// to a 32-bit (type 9/11) or 16-bit (type 1/3) TSS, outside IA-32e mode. Checks that fail before the
/// switch is committed leave everything unchanged; once the old task's state is saved and the new
/// TSS's registers are loaded, faults of the LDT and segment loads (#TS/#NP with the selector) and
/// of the EIP limit check (#GP(0)) are the new task's, as on hardware. The TSS T bit is not modelled
/// (no #DB after the switch); accessed bits of the loaded segments are not written (as QEMU).
/// </summary>
public static class TaskSwitch
{
    private const int Tss32Size = 0x68;
    private const int Tss16Size = 0x2C;
    private const ulong Busy = 2UL << 40;
    private const uint Vm86Data = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed | (3u << SegmentFlags.DplShift);
    private const ulong LoadedFlags = RflagsBits.CF | RflagsBits.PF | RflagsBits.AF | RflagsBits.ZF | RflagsBits.SF | RflagsBits.TF | RflagsBits.IF
        | RflagsBits.DF | RflagsBits.OF | (3UL << 12) | RflagsBits.NT | RflagsBits.RF | RflagsBits.VM | RflagsBits.AC | RflagsBits.ID;

    /// <summary>Whether <paramref name="descriptor"/> is a 16- or 32-bit TSS descriptor (available or busy).</summary>
    public static bool IsTss(SegmentDescriptor descriptor) =>
        (descriptor.High & SegmentFlags.CodeOrData) == 0 && (Type(descriptor) & 5) == 1;

    /// <summary>Whether <paramref name="descriptor"/> is a task gate (type 5).</summary>
    public static bool IsTaskGate(SegmentDescriptor descriptor) =>
        (descriptor.High & SegmentFlags.CodeOrData) == 0 && Type(descriptor) == 5;

    /// <summary>
    /// A switch through the task gate <paramref name="gate"/> (already checked for DPL and presence by
    /// the caller): its TSS selector must name an available TSS in the GDT (#GP(TSS selector + EXT)).
    /// </summary>
    public static bool TryThroughGate(ExecutionContext cpu, SegmentDescriptor gate, TaskSwitchSource source, uint ext, out CpuFault fault)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        ushort selector = (ushort)(gate.Raw >> 16);
        CpuFault bad = SystemAccess.WithCode(ExceptionVector.GeneralProtection, (selector & 0xFFFCu) + ext);
        if ((selector & 4) != 0 || !DescriptorTables.TryLocate(cpu.State, selector, 8, out _))
        {
            fault = bad;
            return false;
        }

        if (!DescriptorTables.TryRead(cpu, selector, ExceptionVector.GeneralProtection, out ulong address, out SegmentDescriptor tss, out fault))
        {
            return false;
        }

        return TrySwitch(cpu, selector, address, tss, source, ext, out fault);
    }

    /// <summary>
    /// Switches to the task whose TSS descriptor <paramref name="tss"/> (at linear <paramref name="address"/>
    /// in the GDT) <paramref name="selector"/> names. The old task's EIP is the state's RIP (past the
    /// instruction for JMP/CALL/INT n/IRET, the faulting instruction for a fault).
    /// </summary>
    public static bool TrySwitch(ExecutionContext cpu, ushort selector, ulong address, SegmentDescriptor tss, TaskSwitchSource source, uint ext, out CpuFault fault)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        ref CpuState s = ref cpu.State;
        uint code = (selector & 0xFFFCu) + ext;
        bool iret = source == TaskSwitchSource.Iret;
        if (!IsTss(tss) || (selector & 4) != 0)
        {
            fault = SystemAccess.WithCode(iret ? ExceptionVector.InvalidTss : ExceptionVector.GeneralProtection, code);
            return false;
        }

        // The new TSS must be busy exactly when returning to it (SDM vol. 3, 7.3 step 3 and IRET).
        bool busy = (tss.Raw & Busy) != 0;
        if (busy != iret)
        {
            fault = SystemAccess.WithCode(iret ? ExceptionVector.InvalidTss : ExceptionVector.GeneralProtection, code);
            return false;
        }

        if (!tss.Present)
        {
            fault = SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, code);
            return false;
        }

        bool new32 = (Type(tss) & 8) != 0;
        int newSize = new32 ? Tss32Size : Tss16Size;
        if (tss.Limit < newSize - 1)
        {
            fault = SystemAccess.WithCode(ExceptionVector.InvalidTss, code);
            return false;
        }

        bool old32 = (s.Tr.Type & 8) != 0;
        int oldSize = old32 ? Tss32Size : Tss16Size;
        if (s.Tr.Limit < oldSize - 1 || (s.Tr.Flags & SegmentFlags.Present) == 0)
        {
            fault = SystemAccess.WithCode(ExceptionVector.InvalidTss, (s.Tr.Selector & 0xFFFCu) + ext);
            return false;
        }

        Span<byte> next = stackalloc byte[Tss32Size];
        Span<byte> old = stackalloc byte[Tss32Size];
        ulong oldBase = SystemAccess.Wrap(s, s.Tr.Base);
        if (!SystemAccess.TryRead(cpu, SystemAccess.Wrap(s, tss.Base), next[..newSize], out fault)
            || !SystemAccess.TryRead(cpu, oldBase, old[..oldSize], out fault))
        {
            return false;
        }

        ulong oldFlags = s.Rflags & 0xFFFF_FFFF;
        if (iret)
        {
            oldFlags &= ~RflagsBits.NT;
        }

        SaveState(ref s, old, old32, oldFlags);
        int first = old32 ? 0x20 : 0x0E;
        int last = old32 ? 0x5E : 0x2A;
        if (!SystemAccess.TryWrite(cpu, oldBase + (ulong)first, old[first..last], out fault))
        {
            return false;
        }

        if ((source is TaskSwitchSource.Jump or TaskSwitchSource.Iret) && !TryClearOldBusy(cpu, out fault))
        {
            return false;
        }

        bool nest = source is TaskSwitchSource.Call or TaskSwitchSource.Interrupt;
        if (nest)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(next, s.Tr.Selector);
            if (!SystemAccess.TryWrite(cpu, SystemAccess.Wrap(s, tss.Base), next[..2], out fault))
            {
                return false;
            }
        }

        if (!iret && !DescriptorTables.TrySetTypeBits(cpu, address, tss, 2, out fault))
        {
            return false;
        }

        bool loaded = Load(cpu, selector, new SegmentDescriptor(tss.Raw | Busy), next, new32, nest, out fault);
        cpu.TaskCommitted = !loaded;
        return loaded;
    }

    private static int Type(SegmentDescriptor d) => (int)((d.High & SegmentFlags.TypeMask) >> SegmentFlags.TypeShift);

    /// <summary>The dynamic fields of the outgoing task: EIP, EFLAGS, the GPRs and the segment selectors (not CR3 or the LDT selector).</summary>
    private static void SaveState(ref CpuState s, Span<byte> tss, bool is32, ulong flags)
    {
        ReadOnlySpan<SegmentRegister> order = [SegmentRegister.Es, SegmentRegister.Cs, SegmentRegister.Ss, SegmentRegister.Ds, SegmentRegister.Fs, SegmentRegister.Gs];
        if (is32)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(tss[0x20..], (uint)s.Rip);
            BinaryPrimitives.WriteUInt32LittleEndian(tss[0x24..], (uint)flags);
            for (int i = 0; i < 8; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(tss[(0x28 + (i * 4))..], (uint)s.Gpr[i]);
            }

            for (int i = 0; i < 6; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(tss[(0x48 + (i * 4))..], s.Segment(order[i]).Selector);
            }

            return;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(tss[0x0E..], (ushort)s.Rip);
        BinaryPrimitives.WriteUInt16LittleEndian(tss[0x10..], (ushort)flags);
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(tss[(0x12 + (i * 2))..], (ushort)s.Gpr[i]);
        }

        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(tss[(0x22 + (i * 2))..], s.Segment(order[i]).Selector);
        }
    }

    private static bool TryClearOldBusy(ExecutionContext cpu, out CpuFault fault)
    {
        ref CpuState s = ref cpu.State;
        ulong byte5 = SystemAccess.Wrap(s, s.Gdtr.Base + (s.Tr.Selector & ~7UL) + 5);
        Span<byte> access = stackalloc byte[1];
        if (!SystemAccess.TryRead(cpu, byte5, access, out fault))
        {
            return false;
        }

        access[0] &= unchecked((byte)~2);
        return SystemAccess.TryWrite(cpu, byte5, access, out fault);
    }

    /// <summary>Commits the new task's registers, then checks its LDT and segments (faults here are the new task's).</summary>
    private static bool Load(ExecutionContext cpu, ushort selector, SegmentDescriptor tss, ReadOnlySpan<byte> next, bool is32, bool nest, out CpuFault fault)
    {
        ref CpuState s = ref cpu.State;
        ReadOnlySpan<SegmentRegister> order = [SegmentRegister.Es, SegmentRegister.Cs, SegmentRegister.Ss, SegmentRegister.Ds, SegmentRegister.Fs, SegmentRegister.Gs];
        Span<ushort> selectors = stackalloc ushort[6];
        selectors.Clear();
        ulong eip;
        ulong flags;
        ushort ldt;
        if (is32)
        {
            eip = BinaryPrimitives.ReadUInt32LittleEndian(next[0x20..]);
            flags = BinaryPrimitives.ReadUInt32LittleEndian(next[0x24..]);
            for (int i = 0; i < 8; i++)
            {
                s.Gpr[i] = BinaryPrimitives.ReadUInt32LittleEndian(next[(0x28 + (i * 4))..]);
            }

            for (int i = 0; i < 6; i++)
            {
                selectors[i] = BinaryPrimitives.ReadUInt16LittleEndian(next[(0x48 + (i * 4))..]);
            }

            ldt = BinaryPrimitives.ReadUInt16LittleEndian(next[0x60..]);
        }
        else
        {
            eip = BinaryPrimitives.ReadUInt16LittleEndian(next[0x0E..]);
            flags = BinaryPrimitives.ReadUInt16LittleEndian(next[0x10..]);
            for (int i = 0; i < 8; i++)
            {
                s.Gpr[i] = (s.Gpr[i] & ~0xFFFFUL) | BinaryPrimitives.ReadUInt16LittleEndian(next[(0x12 + (i * 2))..]);
            }

            for (int i = 0; i < 4; i++)
            {
                selectors[i] = BinaryPrimitives.ReadUInt16LittleEndian(next[(0x22 + (i * 2))..]);
            }

            ldt = BinaryPrimitives.ReadUInt16LittleEndian(next[0x2A..]);
        }

        if (nest)
        {
            flags |= RflagsBits.NT;
        }

        s.Cr0 |= Cr0Bits.TS;
        s.Tr = tss.ToCache(selector);
        if (is32 && (s.Cr0 & Cr0Bits.PG) != 0)
        {
            s.Cr3 = BinaryPrimitives.ReadUInt32LittleEndian(next[0x1C..]);
            ControlRegisterInstructions.TranslationChanged(cpu, flushAll: false, 3);
        }

        s.Rflags = is32
            ? (flags & LoadedFlags) | RflagsBits.Fixed1
            : (s.Rflags & ~0xFFFFUL) | (flags & LoadedFlags & 0xFFFF) | RflagsBits.Fixed1;
        s.Rip = eip;
        s.InterruptShadow = 0;

        // Local breakpoints belong to the old task (SDM vol. 3, 18.2.4).
        s.Dr7 &= ~0x55UL;

        bool vm86 = (flags & RflagsBits.VM) != 0;
        for (int i = 0; i < 6; i++)
        {
            s.Segment(order[i]) = vm86
                ? new SegmentCache(selectors[i], (ulong)selectors[i] << 4, 0xFFFF, Vm86Data)
                : new SegmentCache(selectors[i], 0, 0, 0);
        }

        s.Ldtr = new SegmentCache(ldt, 0, 0, 0);
        s.Cpl = vm86 ? (byte)3 : (byte)(selectors[1] & 3);
        if (!TryLoadLdt(cpu, ldt, out fault))
        {
            return false;
        }

        if (!vm86)
        {
            ReadOnlySpan<int> loadOrder = [1, 2, 0, 3, 4, 5];
            foreach (int i in loadOrder)
            {
                if (!TryLoadSegment(cpu, order[i], selectors[i], out fault))
                {
                    return false;
                }
            }
        }

        if (eip > s.Segment(SegmentRegister.Cs).Limit)
        {
            fault = CpuFault.GeneralProtection();
            return false;
        }

        fault = default;
        return true;
    }

    private static bool TryLoadLdt(ExecutionContext cpu, ushort selector, out CpuFault fault)
    {
        ref CpuState s = ref cpu.State;
        fault = default;
        if ((selector & 0xFFFC) == 0)
        {
            return true;
        }

        CpuFault invalid = SystemAccess.WithCode(ExceptionVector.InvalidTss, selector & 0xFFFCu);
        if ((selector & 4) != 0 || !DescriptorTables.TryLocate(s, selector, 8, out _))
        {
            fault = invalid;
            return false;
        }

        if (!DescriptorTables.TryRead(cpu, selector, ExceptionVector.InvalidTss, out _, out SegmentDescriptor d, out fault))
        {
            return false;
        }

        if ((d.High & SegmentFlags.CodeOrData) != 0 || Type(d) != SegmentFlags.TypeLdt || !d.Present)
        {
            fault = invalid;
            return false;
        }

        s.Ldtr = d.ToCache(selector);
        return true;
    }

    /// <summary>QEMU's <c>tss_load_seg</c> checks: CS code with DPL = RPL, SS writable data at the new CPL, others readable with DPL covering CPL and RPL unless conforming code.</summary>
    private static bool TryLoadSegment(ExecutionContext cpu, SegmentRegister register, ushort selector, out CpuFault fault)
    {
        ref CpuState s = ref cpu.State;
        CpuFault invalid = SystemAccess.WithCode(ExceptionVector.InvalidTss, selector & 0xFFFCu);
        if ((selector & 0xFFFC) == 0)
        {
            fault = register is SegmentRegister.Cs or SegmentRegister.Ss ? invalid : default;
            return register is not (SegmentRegister.Cs or SegmentRegister.Ss);
        }

        if (!DescriptorTables.TryRead(cpu, selector, ExceptionVector.InvalidTss, out _, out SegmentDescriptor d, out fault))
        {
            return false;
        }

        int cpl = s.Cpl;
        int rpl = selector & 3;
        bool ok = (d.High & SegmentFlags.CodeOrData) != 0 && register switch
        {
            SegmentRegister.Cs => d.IsCode && d.Dpl == rpl,
            SegmentRegister.Ss => d.IsWritableData && d.Dpl == cpl && rpl == cpl,
            _ => (!d.IsCode || (d.High & SegmentFlags.ReadableOrWritable) != 0)
                && ((d.IsCode && d.Conforming) || (d.Dpl >= cpl && d.Dpl >= rpl)),
        };
        if (!ok)
        {
            fault = invalid;
            return false;
        }

        if (!d.Present)
        {
            fault = SystemAccess.WithCode(register == SegmentRegister.Ss ? ExceptionVector.StackFault : ExceptionVector.SegmentNotPresent, selector & 0xFFFCu);
            return false;
        }

        s.Segment(register) = d.ToCache(selector);
        return true;
    }
}
