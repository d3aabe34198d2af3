using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 JMP, CALL and RET far forms (vol. 3, 5.8 "Privilege Level Checking When
/// Transferring Program Control Between Code Segments"): real and virtual-8086 mode (CS base =
/// selector &lt;&lt; 4), protected mode to conforming and non-conforming code, call gates (16- and
/// 32-bit with the TSS stack switch and parameter copy; 64-bit gates in IA-32e mode), and far
/// returns to the same or an outer privilege level (popping SS:ESP, nulling data segments the
/// outer level may not use). A far JMP/CALL/RET to a CS with L=1 while EFER.LMA=1 enters 64-bit
/// mode, one with L=0 leaves it for compatibility mode. Outside IA-32e mode a TSS descriptor or task
/// gate as the target switches tasks (<see cref="TaskSwitch"/>); in IA-32e mode it is #GP(selector).
/// </summary>
public static class FarTransferInstructions
{
    private const int TypeCallGate16 = 4;
    private const int TypeCallGate32 = 12;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Code.Jmp_ptr1616, (ExecutionContext c, in Instruction i) => Direct(c, i, 2, call: false));
        table.Add(Code.Jmp_ptr1632, (ExecutionContext c, in Instruction i) => Direct(c, i, 4, call: false));
        table.Add(Code.Call_ptr1616, (ExecutionContext c, in Instruction i) => Direct(c, i, 2, call: true));
        table.Add(Code.Call_ptr1632, (ExecutionContext c, in Instruction i) => Direct(c, i, 4, call: true));
        table.Add(Code.Jmp_m1616, (ExecutionContext c, in Instruction i) => Indirect(c, i, 2, call: false));
        table.Add(Code.Jmp_m1632, (ExecutionContext c, in Instruction i) => Indirect(c, i, 4, call: false));
        table.Add(Code.Jmp_m1664, (ExecutionContext c, in Instruction i) => Indirect(c, i, 8, call: false));
        table.Add(Code.Call_m1616, (ExecutionContext c, in Instruction i) => Indirect(c, i, 2, call: true));
        table.Add(Code.Call_m1632, (ExecutionContext c, in Instruction i) => Indirect(c, i, 4, call: true));
        table.Add(Code.Call_m1664, (ExecutionContext c, in Instruction i) => Indirect(c, i, 8, call: true));
        table.Add(Code.Retfw, (ExecutionContext c, in Instruction i) => Return(c, 2, 0));
        table.Add(Code.Retfd, (ExecutionContext c, in Instruction i) => Return(c, 4, 0));
        table.Add(Code.Retfq, (ExecutionContext c, in Instruction i) => Return(c, 8, 0));
        table.Add(Code.Retfw_imm16, (ExecutionContext c, in Instruction i) => Return(c, 2, i.Immediate16));
        table.Add(Code.Retfd_imm16, (ExecutionContext c, in Instruction i) => Return(c, 4, i.Immediate16));
        table.Add(Code.Retfq_imm16, (ExecutionContext c, in Instruction i) => Return(c, 8, i.Immediate16));
    }

    /// <summary>A far JMP (or CALL when <paramref name="call"/>) to <paramref name="selector"/>:<paramref name="offset"/> with <paramref name="size"/>-byte operands.</summary>
    public static ExitReason Transfer(ExecutionContext cpu, ushort selector, ulong offset, int size, bool call)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        ref CpuState s = ref cpu.State;
        if (!s.ProtectedMode || (s.Rflags & RflagsBits.VM) != 0)
        {
            return RealTransfer(cpu, selector, offset, size, call);
        }

        if ((selector & 0xFFFC) == 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (!DescriptorTables.TryRead(cpu, selector, ExceptionVector.GeneralProtection, out ulong address, out SegmentDescriptor d, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        if ((d.High & SegmentFlags.CodeOrData) == 0)
        {
            return ThroughGate(cpu, selector, address, d, call);
        }

        int cpl = s.Cpl;
        int rpl = selector & 3;
        if (!d.IsCode || (d.Conforming ? d.Dpl > cpl : rpl > cpl || d.Dpl != cpl))
        {
            return cpu.Raise(SelectorFault(selector));
        }

        if (!d.Present)
        {
            return cpu.Raise(SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, selector & 0xFFFCu));
        }

        if (!TryTarget(cpu, d, selector, offset, size, out ulong rip))
        {
            return ExitReason.Exception;
        }

        if (call && !FarStack.TryPush(cpu, [s.Segment(SegmentRegister.Cs).Selector, s.Rip], size))
        {
            return ExitReason.Exception;
        }

        if (!DescriptorTables.TrySetTypeBits(cpu, address, d, 1, out fault))
        {
            return cpu.Raise(fault);
        }

        s.Segment(SegmentRegister.Cs) = Accessed(d).ToCache((ushort)((selector & ~3) | cpl));
        s.Rip = rip;
        return ExitReason.Continue;
    }

    private static CpuFault SelectorFault(ushort selector) => CpuFault.GeneralProtection(selector & 0xFFFCu);

    private static SegmentDescriptor Accessed(SegmentDescriptor d) => new(d.Raw | (1UL << 40));

    private static ExitReason Direct(ExecutionContext cpu, in Instruction instruction, int size, bool call)
    {
        if (cpu.State.In64BitMode)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        ulong offset = size == 2 ? instruction.FarBranch16 : instruction.FarBranch32;
        return Transfer(cpu, instruction.FarBranchSelector, offset, size, call);
    }

    private static ExitReason Indirect(ExecutionContext cpu, in Instruction instruction, int size, bool call)
    {
        if (instruction.Op0Kind != OpKind.Memory)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        ulong address = cpu.EffectiveAddress(instruction);
        if (!cpu.TryReadSegmented(instruction.MemorySegment, address, size, out ulong offset)
            || !cpu.TryReadSegmented(instruction.MemorySegment, address + (ulong)size, 2, out ulong selector))
        {
            return ExitReason.Exception;
        }

        return Transfer(cpu, (ushort)selector, offset, size, call);
    }

    /// <summary>The new RIP: canonical for a 64-bit target, else truncated to the operand size (at most 32 bits) and within the limit (#GP(0)).</summary>
    private static bool TryTarget(ExecutionContext cpu, SegmentDescriptor code, ushort selector, ulong offset, int size, out ulong rip)
    {
        bool longMode = cpu.State.LongModeActive;
        rip = 0;
        if (longMode && code.Long && code.Big)
        {
            cpu.Raise(SelectorFault(selector));
            return false;
        }

        if (longMode && code.Long)
        {
            rip = offset;
            if (!SystemAccess.IsCanonical(rip))
            {
                cpu.Raise(CpuFault.GeneralProtection());
                return false;
            }

            return true;
        }

        rip = offset & FlagMath.Mask(Math.Min(size, 4));
        if (rip > code.Limit)
        {
            cpu.Raise(CpuFault.GeneralProtection());
            return false;
        }

        return true;
    }

    private static ExitReason RealTransfer(ExecutionContext cpu, ushort selector, ulong offset, int size, bool call)
    {
        ref CpuState s = ref cpu.State;
        ref SegmentCache cs = ref s.Segment(SegmentRegister.Cs);
        ulong rip = offset & FlagMath.Mask(Math.Min(size, 4));
        if (rip > cs.Limit)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (call && !FarStack.TryPush(cpu, [cs.Selector, s.Rip], size))
        {
            return ExitReason.Exception;
        }

        cs.Selector = selector;
        cs.Base = (ulong)selector << 4;
        s.Rip = rip;
        return ExitReason.Continue;
    }

    private static ExitReason ThroughGate(ExecutionContext cpu, ushort selector, ulong address, SegmentDescriptor gate, bool call)
    {
        ref CpuState s = ref cpu.State;
        bool longMode = s.LongModeActive;
        int type = (int)((gate.High & SegmentFlags.TypeMask) >> SegmentFlags.TypeShift);
        int cpl = s.Cpl;
        int rpl = selector & 3;

        if (!longMode && (TaskSwitch.IsTss(gate) || TaskSwitch.IsTaskGate(gate)))
        {
            return ToTask(cpu, selector, address, gate, call);
        }

        if (longMode ? type != TypeCallGate32 : type is not (TypeCallGate16 or TypeCallGate32))
        {
            return cpu.Raise(SelectorFault(selector));
        }

        if (gate.Dpl < cpl || gate.Dpl < rpl)
        {
            return cpu.Raise(SelectorFault(selector));
        }

        if (!gate.Present)
        {
            return cpu.Raise(SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, selector & 0xFFFCu));
        }

        ushort codeSelector = (ushort)(gate.Raw >> 16);
        ulong target = (gate.Raw & 0xFFFF) | ((gate.Raw >> 48) << 16);
        int gateSize = longMode ? 8 : type == TypeCallGate16 ? 2 : 4;
        if (longMode)
        {
            if (!DescriptorTables.TryLocate(s, selector, 16, out _))
            {
                return cpu.Raise(SelectorFault(selector));
            }

            if (!DescriptorTables.TryReadUpper(cpu, address, out ulong upper, out CpuFault upperFault))
            {
                return cpu.Raise(upperFault);
            }

            if (((upper >> 40) & 0x1F) != 0)
            {
                return cpu.Raise(SelectorFault(selector));
            }

            target |= (upper & 0xFFFF_FFFF) << 32;
        }
        else if (gateSize == 2)
        {
            target &= 0xFFFF;
        }

        if ((codeSelector & 0xFFFC) == 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (!DescriptorTables.TryRead(cpu, codeSelector, ExceptionVector.GeneralProtection, out ulong codeAddress, out SegmentDescriptor code, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        if (!code.IsCode || code.Dpl > cpl || (longMode && (!code.Long || code.Big)) || (!call && !code.Conforming && code.Dpl != cpl))
        {
            return cpu.Raise(SelectorFault(codeSelector));
        }

        if (!code.Present)
        {
            return cpu.Raise(SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, codeSelector & 0xFFFCu));
        }

        if (!TryTarget(cpu, code, codeSelector, target, longMode ? 8 : gateSize, out ulong rip))
        {
            return ExitReason.Exception;
        }

        if (call && !code.Conforming && code.Dpl < cpl)
        {
            int parameters = longMode ? 0 : (int)((gate.Raw >> 32) & 0x1F);
            return longMode
                ? InnerCallLong(cpu, code, codeAddress, codeSelector, rip)
                : InnerCallLegacy(cpu, code, codeAddress, codeSelector, rip, gateSize, parameters);
        }

        if (call && !FarStack.TryPush(cpu, [s.Segment(SegmentRegister.Cs).Selector, s.Rip], gateSize))
        {
            return ExitReason.Exception;
        }

        if (!DescriptorTables.TrySetTypeBits(cpu, codeAddress, code, 1, out fault))
        {
            return cpu.Raise(fault);
        }

        s.Segment(SegmentRegister.Cs) = Accessed(code).ToCache((ushort)((codeSelector & ~3) | cpl));
        s.Rip = rip;
        return ExitReason.Continue;
    }

    /// <summary>
    /// JMP/CALL to a TSS descriptor or task gate (SDM vol. 2 JMP/CALL "TASK-GATE"/"TASK-STATE-SEGMENT"):
    /// its DPL must cover CPL and RPL (#GP(selector)), it must be present (#NP(selector)); a task gate's
    /// TSS selector then names the TSS.
    /// </summary>
    private static ExitReason ToTask(ExecutionContext cpu, ushort selector, ulong address, SegmentDescriptor target, bool call)
    {
        ref CpuState s = ref cpu.State;
        if (target.Dpl < s.Cpl || target.Dpl < (selector & 3))
        {
            return cpu.Raise(SelectorFault(selector));
        }

        TaskSwitchSource source = call ? TaskSwitchSource.Call : TaskSwitchSource.Jump;
        CpuFault fault;
        if (TaskSwitch.IsTaskGate(target))
        {
            if (!target.Present)
            {
                return cpu.Raise(SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, selector & 0xFFFCu));
            }

            return TaskSwitch.TryThroughGate(cpu, target, source, 0, out fault) ? ExitReason.Continue : cpu.Raise(fault);
        }

        return TaskSwitch.TrySwitch(cpu, selector, address, target, source, 0, out fault) ? ExitReason.Continue : cpu.Raise(fault);
    }

    /// <summary>A 64-bit call gate to a more privileged level: RSP from the TSS, SS null with RPL = new CPL, 8-byte pushes, no parameters.</summary>
    private static ExitReason InnerCallLong(ExecutionContext cpu, SegmentDescriptor code, ulong codeAddress, ushort codeSelector, ulong rip)
    {
        ref CpuState s = ref cpu.State;
        int newCpl = code.Dpl;
        if (!SystemAccess.TryReadTss(cpu, 4 + ((uint)newCpl * 8), 8, 0, out ulong rsp, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        ulong newRsp = rsp - 32;
        if (!SystemAccess.IsCanonical(rsp) || !SystemAccess.IsCanonical(newRsp))
        {
            return cpu.Raise(SystemAccess.WithCode(ExceptionVector.StackFault, 0));
        }

        ReadOnlySpan<ulong> frame =
        [
            s.Segment(SegmentRegister.Ss).Selector, s.Gpr[(int)GeneralRegister.Rsp], s.Segment(SegmentRegister.Cs).Selector, s.Rip,
        ];
        if (!FarStack.TryWrite(cpu, newRsp, frame, 8, newCpl, out fault)
            || !DescriptorTables.TrySetTypeBits(cpu, codeAddress, code, 1, out fault))
        {
            return cpu.Raise(fault);
        }

        s.Segment(SegmentRegister.Cs) = Accessed(code).ToCache((ushort)((codeSelector & ~3) | newCpl));
        s.Segment(SegmentRegister.Ss) = new SegmentCache((ushort)newCpl, 0, 0, (uint)newCpl << SegmentFlags.DplShift);
        s.Cpl = (byte)newCpl;
        s.Gpr[(int)GeneralRegister.Rsp] = newRsp;
        s.Rip = rip;
        return ExitReason.Continue;
    }

    /// <summary>
    /// A 16/32-bit call gate to a more privileged level: SS:ESP from the TSS (16- or 32-bit TSS
    /// layout by TR's type), then old SS, old ESP, the gate's parameters copied from the old stack,
    /// old CS and the return EIP, each of the gate's size.
    /// </summary>
    private static ExitReason InnerCallLegacy(ExecutionContext cpu, SegmentDescriptor code, ulong codeAddress, ushort codeSelector, ulong rip, int gateSize, int parameters)
    {
        ref CpuState s = ref cpu.State;
        int newCpl = code.Dpl;
        bool tss32 = (s.Tr.Type & 8) != 0;
        uint spOffset = tss32 ? 4 + ((uint)newCpl * 8) : 2 + ((uint)newCpl * 4);
        uint ssOffset = tss32 ? 8 + ((uint)newCpl * 8) : 4 + ((uint)newCpl * 4);
        if (!SystemAccess.TryReadTss(cpu, spOffset, tss32 ? 4 : 2, 0, out ulong sp, out CpuFault fault)
            || !SystemAccess.TryReadTss(cpu, ssOffset, 2, 0, out ulong ssSelector, out fault)
            || !InterruptDelivery.TryLoadInnerStack(cpu, (ushort)ssSelector, newCpl, 0, out SegmentCache ss, out fault))
        {
            return cpu.Raise(fault);
        }

        Span<ulong> frame = stackalloc ulong[FarStack.MaxValues];
        int n = 0;
        frame[n++] = s.Segment(SegmentRegister.Ss).Selector;
        frame[n++] = s.Gpr[(int)GeneralRegister.Rsp];
        for (int i = parameters - 1; i >= 0; i--)
        {
            if (!cpu.TryPeek(gateSize, out frame[n++], (ulong)(i * gateSize)))
            {
                return ExitReason.Exception;
            }
        }

        frame[n++] = s.Segment(SegmentRegister.Cs).Selector;
        frame[n++] = s.Rip;
        ulong mask = (ss.Flags & SegmentFlags.Big) != 0 ? 0xFFFF_FFFFUL : 0xFFFFUL;
        ulong newSp = (sp - ((ulong)n * (ulong)gateSize)) & mask;
        if (newSp + ((ulong)n * (ulong)gateSize) - 1 > ss.Limit)
        {
            return cpu.Raise(SystemAccess.WithCode(ExceptionVector.StackFault, (ushort)ssSelector & 0xFFFCu));
        }

        if (!FarStack.TryWrite(cpu, (ss.Base + newSp) & 0xFFFF_FFFF, frame[..n], gateSize, newCpl, out fault)
            || !DescriptorTables.TrySetTypeBits(cpu, codeAddress, code, 1, out fault))
        {
            return cpu.Raise(fault);
        }

        s.Segment(SegmentRegister.Cs) = Accessed(code).ToCache((ushort)((codeSelector & ~3) | newCpl));
        s.Segment(SegmentRegister.Ss) = ss;
        s.Cpl = (byte)newCpl;
        ref ulong rsp = ref s.Gpr[(int)GeneralRegister.Rsp];
        rsp = mask == 0xFFFF ? (rsp & ~0xFFFFUL) | newSp : newSp;
        s.Rip = rip;
        return ExitReason.Continue;
    }

    private static ExitReason Return(ExecutionContext cpu, int size, ushort release)
    {
        ref CpuState s = ref cpu.State;
        if (!cpu.TryPeek(size, out ulong ip) || !cpu.TryPeek(size, out ulong csValue, (ulong)size))
        {
            return ExitReason.Exception;
        }

        ushort selector = (ushort)csValue;
        ulong popped = (2 * (ulong)size) + release;
        if (!s.ProtectedMode || (s.Rflags & RflagsBits.VM) != 0)
        {
            ref SegmentCache cs = ref s.Segment(SegmentRegister.Cs);
            ulong realIp = ip & FlagMath.Mask(Math.Min(size, 4));
            if (realIp > cs.Limit)
            {
                return cpu.Raise(CpuFault.GeneralProtection());
            }

            cs.Selector = selector;
            cs.Base = (ulong)selector << 4;
            s.Rip = realIp;
            cpu.SetStackPointer(cpu.StackPointer + popped);
            return ExitReason.Continue;
        }

        if ((selector & 0xFFFC) == 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (!DescriptorTables.TryRead(cpu, selector, ExceptionVector.GeneralProtection, out ulong address, out SegmentDescriptor code, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        int cpl = s.Cpl;
        int rpl = selector & 3;
        if (!code.IsCode || rpl < cpl || (code.Conforming ? code.Dpl > rpl : code.Dpl != rpl))
        {
            return cpu.Raise(SelectorFault(selector));
        }

        if (!code.Present)
        {
            return cpu.Raise(SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, selector & 0xFFFCu));
        }

        if (!TryTarget(cpu, code, selector, ip, size, out ulong rip))
        {
            return ExitReason.Exception;
        }

        bool target64 = s.LongModeActive && code.Long;
        if (rpl == cpl)
        {
            if (!DescriptorTables.TrySetTypeBits(cpu, address, code, 1, out fault))
            {
                return cpu.Raise(fault);
            }

            s.Segment(SegmentRegister.Cs) = Accessed(code).ToCache(selector);
            s.Rip = rip;
            cpu.SetStackPointer(cpu.StackPointer + popped);
            return ExitReason.Continue;
        }

        if (!cpu.TryPeek(size, out ulong newSp, popped) || !cpu.TryPeek(size, out ulong ssValue, popped + (ulong)size))
        {
            return ExitReason.Exception;
        }

        if (!InterruptInstructions.TryLoadReturnStack(cpu, (ushort)ssValue, rpl, target64, out SegmentCache ss, out fault)
            || !DescriptorTables.TrySetTypeBits(cpu, address, code, 1, out fault))
        {
            return cpu.Raise(fault);
        }

        s.Segment(SegmentRegister.Cs) = Accessed(code).ToCache(selector);
        s.Segment(SegmentRegister.Ss) = ss;
        s.Cpl = (byte)rpl;
        s.Rip = rip;
        ulong sp = (newSp & FlagMath.Mask(size)) + release;
        ref ulong rsp = ref s.Gpr[(int)GeneralRegister.Rsp];
        rsp = target64 ? sp : (ss.Flags & SegmentFlags.Big) != 0 ? sp & 0xFFFF_FFFF : (rsp & ~0xFFFFUL) | (sp & 0xFFFF);
        InterruptInstructions.NullInaccessibleSegments(ref s, rpl);
        return ExitReason.Continue;
    }
}
