using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 INT n/INTO/INT3/INT1 and IRET/IRETD/IRETQ. The INTs deliver through
/// <see cref="InterruptDelivery"/> with RIP past the instruction; a fault during delivery is the
/// instruction's fault. IRET returns to the same or an outer privilege level (64-bit mode always pops
/// SS:RSP). With NT set outside IA-32e mode it is a task return (<see cref="TaskSwitch"/>). Not
/// supported: returns to or from virtual-8086 mode (#GP(0)).
/// </summary>
public static class InterruptInstructions
{
    /// <summary>What IRET may change at any CPL: CF PF AF ZF SF TF DF OF NT RF AC ID.</summary>
    private const ulong AlwaysRestored = RflagsBits.CF | RflagsBits.PF | RflagsBits.AF | RflagsBits.ZF | RflagsBits.SF | RflagsBits.TF
        | RflagsBits.DF | RflagsBits.OF | RflagsBits.NT | RflagsBits.RF | RflagsBits.AC | RflagsBits.ID;

    private const ulong Iopl = 3UL << 12;
    private const ulong VifVip = (1UL << 19) | (1UL << 20);

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Int, (ExecutionContext c, in Instruction i) => Interrupt(c, i.Immediate8, InterruptSource.Software, i.IP));
        table.Add(Mnemonic.Int3, (ExecutionContext c, in Instruction i) => Interrupt(c, ExceptionVector.Breakpoint, InterruptSource.Software, i.IP));
        table.Add(Mnemonic.Int1, (ExecutionContext c, in Instruction i) => Interrupt(c, ExceptionVector.Debug, InterruptSource.Icebp, i.IP));
        table.Add(Mnemonic.Into, (ExecutionContext c, in Instruction i) =>
            c.GetFlag(RflagsBits.OF) ? Interrupt(c, ExceptionVector.Overflow, InterruptSource.Software, i.IP) : ExitReason.Continue);
        table.Add(Code.Iretw, (ExecutionContext c, in Instruction i) => Iret(c, 2));
        table.Add(Code.Iretd, (ExecutionContext c, in Instruction i) => Iret(c, 4));
        table.Add(Code.Iretq, (ExecutionContext c, in Instruction i) => Iret(c, 8));
    }

    private static ExitReason Interrupt(ExecutionContext cpu, byte vector, InterruptSource source, ulong instructionRip)
    {
        cpu.Tracer?.SoftwareInterruptDelivering(cpu.Vcpu, vector, instructionRip);
        return InterruptDelivery.TryDeliver(cpu, vector, source, null, out CpuFault fault) ? ExitReason.Continue : cpu.Raise(fault);
    }

    private static ExitReason Iret(ExecutionContext cpu, int size)
    {
        ref CpuState s = ref cpu.State;

        // IRET unblocks NMIs even when it faults (SDM vol. 3, 6.7.1).
        s.NmiBlocked = 0;
        if (!cpu.TryPeek(size, out ulong ip) || !cpu.TryPeek(size, out ulong cs, (ulong)size) || !cpu.TryPeek(size, out ulong flags, 2 * (ulong)size))
        {
            return ExitReason.Exception;
        }

        return s.ProtectedMode ? ProtectedIret(cpu, size, ip, (ushort)cs, flags) : RealIret(cpu, size, ip, (ushort)cs, flags);
    }

    private static ExitReason RealIret(ExecutionContext cpu, int size, ulong ip, ushort cs, ulong flags)
    {
        ref CpuState s = ref cpu.State;
        if (ip > s.Segments[(int)SegmentRegister.Cs].Limit)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        ulong newFlags = size == 2
            ? (s.Rflags & ~0xFFFFUL) | (flags & 0xFFFF)
            : (flags & 0x25_7FD5) | (s.Rflags & 0x1A_0000);
        cpu.SetStackPointer(cpu.StackPointer + (3 * (ulong)size));
        ref SegmentCache code = ref s.Segment(SegmentRegister.Cs);
        code.Selector = cs;
        code.Base = (ulong)cs << 4;
        s.Rip = ip;
        cpu.Rflags = newFlags;
        return ExitReason.Continue;
    }

    private static ExitReason ProtectedIret(ExecutionContext cpu, int size, ulong ip, ushort csSelector, ulong flags)
    {
        ref CpuState s = ref cpu.State;
        bool longMode = s.LongModeActive;
        int cpl = s.Cpl;
        if (!longMode && (s.Rflags & (RflagsBits.VM | RflagsBits.NT)) == RflagsBits.NT)
        {
            return TaskReturn(cpu);
        }

        if ((s.Rflags & RflagsBits.VM) != 0 || (s.Rflags & RflagsBits.NT) != 0
            || (!longMode && cpl == 0 && size == 4 && (flags & RflagsBits.VM) != 0))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        CpuFault selectorFault = CpuFault.GeneralProtection(csSelector & ~3u);
        if ((csSelector & ~3) == 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (!SystemAccess.TryReadDescriptor(cpu, csSelector, ExceptionVector.GeneralProtection, 0, out SegmentDescriptor code, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        int rpl = csSelector & 3;
        if (rpl < cpl || !code.IsCode || (longMode && code.Long && code.Big)
            || (code.Conforming ? code.Dpl > rpl : code.Dpl != rpl))
        {
            return cpu.Raise(selectorFault);
        }

        if (!code.Present)
        {
            return cpu.Raise(SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, csSelector & ~3u));
        }

        bool target64 = longMode && code.Long;
        bool popStack = rpl > cpl || s.In64BitMode;
        SegmentCache ss = s.Segments[(int)SegmentRegister.Ss];
        ulong newSp = 0;
        if (popStack)
        {
            if (!cpu.TryPeek(size, out newSp, 3 * (ulong)size) || !cpu.TryPeek(size, out ulong ssValue, 4 * (ulong)size))
            {
                return ExitReason.Exception;
            }

            if (!TryLoadReturnStack(cpu, (ushort)ssValue, rpl, target64, out ss, out fault))
            {
                return cpu.Raise(fault);
            }
        }

        ulong rip = size == 2 ? ip & 0xFFFF : size == 4 ? ip & 0xFFFF_FFFF : ip;
        if (target64 ? !SystemAccess.IsCanonical(rip) : rip > code.Limit)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        ulong restored = AlwaysRestored;
        if (cpl <= (int)((s.Rflags >> 12) & 3))
        {
            restored |= RflagsBits.IF;
        }

        if (cpl == 0)
        {
            restored |= Iopl | VifVip;
        }

        if (size == 2)
        {
            restored &= 0xFFFF;
        }

        ulong newFlags = (s.Rflags & ~restored) | (flags & restored);
        if (popStack)
        {
            bool big = target64 || (ss.Flags & SegmentFlags.Big) != 0;
            ulong rsp = s.Gpr[(int)GeneralRegister.Rsp];
            s.Gpr[(int)GeneralRegister.Rsp] = size == 8 || big ? newSp & FlagMath.Mask(size) : (rsp & ~0xFFFFUL) | (newSp & 0xFFFF);
            s.Segment(SegmentRegister.Ss) = ss;
        }
        else
        {
            cpu.SetStackPointer(cpu.StackPointer + (3 * (ulong)size));
        }

        s.Segment(SegmentRegister.Cs) = code.ToCache(csSelector);
        s.Cpl = (byte)rpl;
        s.Rip = rip;
        cpu.Rflags = newFlags;
        if (rpl > cpl)
        {
            NullInaccessibleSegments(ref s, rpl);
        }

        return ExitReason.Continue;
    }

    /// <summary>
    /// IRET with NT set outside IA-32e mode returns to the task in the TSS back link, which must be a
    /// busy TSS in the GDT (#TS(back link) otherwise).
    /// </summary>
    private static ExitReason TaskReturn(ExecutionContext cpu)
    {
        if (!SystemAccess.TryReadTss(cpu, 0, 2, 0, out ulong link, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        ushort selector = (ushort)link;
        if ((selector & 4) != 0 || (selector & 0xFFFC) == 0)
        {
            return cpu.Raise(SystemAccess.WithCode(ExceptionVector.InvalidTss, selector & 0xFFFCu));
        }

        if (!DescriptorTables.TryRead(cpu, selector, ExceptionVector.InvalidTss, out ulong address, out SegmentDescriptor tss, out fault)
            || !TaskSwitch.TrySwitch(cpu, selector, address, tss, TaskSwitchSource.Iret, 0, out fault))
        {
            return cpu.Raise(fault);
        }

        return ExitReason.Continue;
    }

    /// <summary>
    /// The SS popped by IRET: RPL and DPL equal to the return CPL, a present writable data segment;
    /// a null SS only for a 64-bit return to CPL 0-2 (SDM vol. 2, IRET).
    /// </summary>
    internal static bool TryLoadReturnStack(ExecutionContext cpu, ushort selector, int rpl, bool target64, out SegmentCache cache, out CpuFault fault)
    {
        cache = default;
        if ((selector & ~3) == 0)
        {
            if (target64 && rpl != 3 && (selector & 3) == rpl)
            {
                cache = new SegmentCache(selector, 0, 0, (uint)rpl << SegmentFlags.DplShift);
                fault = default;
                return true;
            }

            fault = CpuFault.GeneralProtection();
            return false;
        }

        if (!SystemAccess.TryReadDescriptor(cpu, selector, ExceptionVector.GeneralProtection, 0, out SegmentDescriptor d, out fault))
        {
            return false;
        }

        if ((selector & 3) != rpl || d.Dpl != rpl || !d.IsWritableData)
        {
            fault = CpuFault.GeneralProtection(selector & ~3u);
            return false;
        }

        if (!d.Present)
        {
            fault = SystemAccess.WithCode(ExceptionVector.StackFault, selector & ~3u);
            return false;
        }

        cache = d.ToCache(selector);
        return true;
    }

    /// <summary>On a return to an outer level, data segments (and non-conforming code) more privileged than it become null.</summary>
    internal static void NullInaccessibleSegments(ref CpuState s, int newCpl)
    {
        ReadOnlySpan<SegmentRegister> registers = [SegmentRegister.Es, SegmentRegister.Ds, SegmentRegister.Fs, SegmentRegister.Gs];
        foreach (SegmentRegister register in registers)
        {
            ref SegmentCache segment = ref s.Segment(register);
            bool conformingCode = (segment.Flags & (SegmentFlags.Code | SegmentFlags.ConformingOrExpandDown)) == (SegmentFlags.Code | SegmentFlags.ConformingOrExpandDown);
            if (!conformingCode && segment.Dpl < newCpl)
            {
                segment.Selector = 0;
                segment.Flags &= ~SegmentFlags.Present;
            }
        }
    }
}
