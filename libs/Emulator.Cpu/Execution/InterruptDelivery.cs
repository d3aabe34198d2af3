using System.Buffers.Binary;

namespace Emulator.Cpu;

/// <summary>
/// Delivers an interrupt or exception through the IDT (Intel SDM vol. 3, 6.12 and 6.14, and
/// vol. 2 "INT n/INTO/INT3/INT1" pseudocode): real-mode IVT, 32-bit protected-mode interrupt and
/// trap gates (16- and 32-bit) and IA-32e 16-byte gates with IST. RIP in the state is the return
/// address pushed. Either the whole delivery happens (the frame is written in one access, then
/// registers change) or nothing changes and the fault that stopped it is returned.
/// Task gates (outside IA-32e mode) switch tasks through <see cref="TaskSwitch"/>.
/// Not supported (documented #GP(vector*8+2+EXT)): delivery from virtual-8086 mode.
/// Accessed bits of descriptors are not written.
/// </summary>
public static class InterruptDelivery
{
    private const ulong ClearedOnDelivery = RflagsBits.TF | RflagsBits.NT | RflagsBits.RF | RflagsBits.VM;

    public static bool TryDeliver(ExecutionContext cpu, byte vector, InterruptSource source, uint? errorCode, out CpuFault fault)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        ref CpuState s = ref cpu.State;
        uint ext = source == InterruptSource.Software ? 0u : 1u;
        if (!s.ProtectedMode)
        {
            return TryDeliverReal(cpu, vector, ext, out fault);
        }

        CpuFault idtFault = SystemAccess.WithCode(ExceptionVector.GeneralProtection, ((uint)vector * 8) + 2 + ext);
        bool longMode = s.LongModeActive;
        if (!longMode && (s.Rflags & RflagsBits.VM) != 0)
        {
            fault = idtFault;
            return false;
        }

        int gateSize = longMode ? 16 : 8;
        if (((ulong)vector * (ulong)gateSize) + (ulong)gateSize - 1 > s.Idtr.Limit)
        {
            fault = idtFault;
            return false;
        }

        Span<byte> gate = stackalloc byte[16];
        gate.Clear();
        if (!SystemAccess.TryRead(cpu, SystemAccess.Wrap(s, s.Idtr.Base + ((ulong)vector * (ulong)gateSize)), gate[..gateSize], out fault))
        {
            return false;
        }

        ulong low = BinaryPrimitives.ReadUInt64LittleEndian(gate);
        ulong high = BinaryPrimitives.ReadUInt64LittleEndian(gate[8..]);
        int type = (int)((low >> 40) & 0xF);
        int gateDpl = (int)((low >> 45) & 3);
        bool gatePresent = ((low >> 47) & 1) != 0;
        ushort selector = (ushort)(low >> 16);
        ulong offset = (low & 0xFFFF) | ((low >> 48) << 16);
        int ist = 0;
        int frameSize;
        if (longMode)
        {
            offset |= (high & 0xFFFF_FFFF) << 32;
            ist = (int)((low >> 32) & 7);
            frameSize = 8;
            if (type is not (0xE or 0xF))
            {
                fault = idtFault;
                return false;
            }
        }
        else
        {
            frameSize = type switch { 0x5 => 4, 0x6 or 0x7 => 2, 0xE or 0xF => 4, _ => 0 };
            if (frameSize == 0)
            {
                fault = idtFault;
                return false;
            }

            if (frameSize == 2)
            {
                offset &= 0xFFFF;
            }
        }

        int cpl = s.Cpl;
        if (source == InterruptSource.Software && gateDpl < cpl)
        {
            fault = SystemAccess.WithCode(ExceptionVector.GeneralProtection, ((uint)vector * 8) + 2);
            return false;
        }

        if (!gatePresent)
        {
            fault = SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, ((uint)vector * 8) + 2 + ext);
            return false;
        }

        if (!longMode && type == 5)
        {
            return TryDeliverThroughTask(cpu, new SegmentDescriptor(low), errorCode, ext, source is InterruptSource.Software or InterruptSource.Icebp, out fault);
        }

        if ((selector & ~3) == 0)
        {
            fault = SystemAccess.WithCode(ExceptionVector.GeneralProtection, ext);
            return false;
        }

        if (!SystemAccess.TryReadDescriptor(cpu, selector, ExceptionVector.GeneralProtection, ext, out SegmentDescriptor code, out fault))
        {
            return false;
        }

        CpuFault selectorFault = SystemAccess.WithCode(ExceptionVector.GeneralProtection, (selector & ~3u) + ext);
        if (!code.IsCode || code.Dpl > cpl || (longMode && (!code.Long || code.Big)))
        {
            fault = selectorFault;
            return false;
        }

        if (!code.Present)
        {
            fault = SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, (selector & ~3u) + ext);
            return false;
        }

        int newCpl = code.Conforming ? cpl : code.Dpl;
        bool interruptGate = (type & 1) == 0;
        uint? pushedError = errorCode;
        return longMode
            ? TryDeliverLong(cpu, code, selector, offset, ist, newCpl, interruptGate, pushedError, ext, out fault)
            : TryDeliverProtected(cpu, code, selector, offset, frameSize, newCpl, interruptGate, pushedError, ext, out fault);
    }

    /// <summary>
    /// A task gate: switch to its task (nested, back link to the interrupted one); an error code is
    /// then pushed on the new task's stack, a dword for a 32-bit TSS, a word for a 16-bit one.
    /// </summary>
    private static bool TryDeliverThroughTask(ExecutionContext cpu, SegmentDescriptor gate, uint? errorCode, uint ext, bool instruction, out CpuFault fault)
    {
        bool switched = TaskSwitch.TryThroughGate(cpu, gate, TaskSwitchSource.Interrupt, ext, out fault);
        if (!instruction)
        {
            // Only an instruction (INT n, INT3, INTO) has a RIP for the interpreter to roll back.
            cpu.TaskCommitted = false;
        }

        if (!switched)
        {
            return false;
        }

        if (errorCode is uint error && !FarStack.TryPush(cpu, [error], (cpu.State.Tr.Type & 8) != 0 ? 4 : 2))
        {
            fault = cpu.Fault;
            return false;
        }

        return true;
    }

    private static bool TryDeliverLong(ExecutionContext cpu, SegmentDescriptor code, ushort selector, ulong offset, int ist, int newCpl,
        bool interruptGate, uint? errorCode, uint ext, out CpuFault fault)
    {
        ref CpuState s = ref cpu.State;
        if (!SystemAccess.IsCanonical(offset))
        {
            fault = SystemAccess.WithCode(ExceptionVector.GeneralProtection, ext);
            return false;
        }

        int cpl = s.Cpl;
        ulong rsp = s.Gpr[(int)GeneralRegister.Rsp];
        if (ist != 0)
        {
            if (!SystemAccess.TryReadTss(cpu, 0x24 + ((uint)(ist - 1) * 8), 8, ext, out rsp, out fault))
            {
                return false;
            }
        }
        else if (newCpl < cpl)
        {
            if (!SystemAccess.TryReadTss(cpu, 4 + ((uint)newCpl * 8), 8, ext, out rsp, out fault))
            {
                return false;
            }
        }

        rsp &= ~0xFUL;
        Span<ulong> frame = stackalloc ulong[6];
        int n = 0;
        if (errorCode is uint error)
        {
            frame[n++] = error;
        }

        frame[n++] = s.Rip;
        frame[n++] = s.Segments[(int)SegmentRegister.Cs].Selector;
        frame[n++] = s.Rflags;
        frame[n++] = s.Gpr[(int)GeneralRegister.Rsp];
        frame[n++] = s.Segments[(int)SegmentRegister.Ss].Selector;
        ulong newRsp = rsp - ((ulong)n * 8);
        if (!SystemAccess.IsCanonical(newRsp) || !SystemAccess.IsCanonical(rsp - 1))
        {
            fault = SystemAccess.WithCode(ExceptionVector.StackFault, ext);
            return false;
        }

        Span<byte> bytes = stackalloc byte[6 * 8];
        for (int i = 0; i < n; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[(i * 8)..], frame[i]);
        }

        if (!TryWriteStack(cpu, newRsp, bytes[..(n * 8)], newCpl, 8, out fault))
        {
            return false;
        }

        s.Segment(SegmentRegister.Cs) = code.ToCache((ushort)((selector & ~3) | newCpl));
        if (newCpl != cpl)
        {
            // The new SS is a null selector with RPL = new CPL (SDM vol. 3, 6.14.4).
            s.Segment(SegmentRegister.Ss) = new SegmentCache((ushort)newCpl, 0, 0, (uint)newCpl << SegmentFlags.DplShift);
        }

        Commit(ref s, newCpl, newRsp, offset, interruptGate);
        return true;
    }

    private static bool TryDeliverProtected(ExecutionContext cpu, SegmentDescriptor code, ushort selector, ulong offset, int size, int newCpl,
        bool interruptGate, uint? errorCode, uint ext, out CpuFault fault)
    {
        ref CpuState s = ref cpu.State;
        if (offset > code.Limit)
        {
            fault = SystemAccess.WithCode(ExceptionVector.GeneralProtection, ext);
            return false;
        }

        int cpl = s.Cpl;
        SegmentCache ss = s.Segments[(int)SegmentRegister.Ss];
        ulong sp = s.Gpr[(int)GeneralRegister.Rsp];
        bool inner = newCpl < cpl;
        if (inner)
        {
            if (!SystemAccess.TryReadTss(cpu, 4 + ((uint)newCpl * 8), 4, ext, out sp, out fault)
                || !SystemAccess.TryReadTss(cpu, 8 + ((uint)newCpl * 8), 2, ext, out ulong ssSelector, out fault)
                || !TryLoadInnerStack(cpu, (ushort)ssSelector, newCpl, ext, out ss, out fault))
            {
                return false;
            }
        }

        Span<uint> frame = stackalloc uint[6];
        int n = 0;
        if (errorCode is uint error)
        {
            frame[n++] = error;
        }

        frame[n++] = (uint)s.Rip;
        frame[n++] = s.Segments[(int)SegmentRegister.Cs].Selector;
        frame[n++] = (uint)s.Rflags;
        if (inner)
        {
            frame[n++] = (uint)s.Gpr[(int)GeneralRegister.Rsp];
            frame[n++] = s.Segments[(int)SegmentRegister.Ss].Selector;
        }

        ulong mask = (ss.Flags & SegmentFlags.Big) != 0 ? 0xFFFF_FFFFUL : 0xFFFFUL;
        ulong newSp = (sp - ((ulong)n * (ulong)size)) & mask;
        Span<byte> bytes = stackalloc byte[6 * 4];
        for (int i = 0; i < n; i++)
        {
            if (size == 4)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes[(i * 4)..], frame[i]);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes[(i * 2)..], (ushort)frame[i]);
            }
        }

        // The frame must fit the (possibly new) stack segment: #SS(0) on the same stack, #SS(new SS + EXT) on an
        // inner one (SDM vol. 3, 6.12.1.1 and INT n "Protected Mode Exceptions").
        if (!ExecutionContext.WithinLimit(ss, newSp, n * size))
        {
            fault = SystemAccess.WithCode(ExceptionVector.StackFault, (inner ? (uint)(ss.Selector & ~3) : 0) + ext);
            return false;
        }

        if (!TryWriteStack(cpu, (ss.Base + newSp) & 0xFFFF_FFFF, bytes[..(n * size)], newCpl, size, out fault))
        {
            return false;
        }

        s.Segment(SegmentRegister.Cs) = code.ToCache((ushort)((selector & ~3) | newCpl));
        s.Segment(SegmentRegister.Ss) = ss;
        ulong rsp = s.Gpr[(int)GeneralRegister.Rsp];
        Commit(ref s, newCpl, mask == 0xFFFF ? (rsp & ~0xFFFFUL) | newSp : newSp, offset, interruptGate);
        return true;
    }

    /// <summary>The SS:ESP from the TSS must name a present, writable data segment with RPL = DPL = the new CPL (#TS otherwise).</summary>
    internal static bool TryLoadInnerStack(ExecutionContext cpu, ushort selector, int newCpl, uint ext, out SegmentCache cache, out CpuFault fault)
    {
        cache = default;
        CpuFault invalid = SystemAccess.WithCode(ExceptionVector.InvalidTss, (selector & ~3u) + ext);
        if ((selector & ~3) == 0)
        {
            fault = SystemAccess.WithCode(ExceptionVector.InvalidTss, ext);
            return false;
        }

        if (!SystemAccess.TryReadDescriptor(cpu, selector, ExceptionVector.InvalidTss, ext, out SegmentDescriptor d, out fault))
        {
            return false;
        }

        if ((selector & 3) != newCpl || d.Dpl != newCpl || !d.IsWritableData)
        {
            fault = invalid;
            return false;
        }

        if (!d.Present)
        {
            fault = SystemAccess.WithCode(ExceptionVector.StackFault, (selector & ~3u) + ext);
            return false;
        }

        cache = d.ToCache(selector);
        return true;
    }

    private static bool TryDeliverReal(ExecutionContext cpu, byte vector, uint ext, out CpuFault fault)
    {
        ref CpuState s = ref cpu.State;
        if (((ulong)vector * 4) + 3 > s.Idtr.Limit)
        {
            fault = SystemAccess.WithCode(ExceptionVector.GeneralProtection, ((uint)vector * 8) + 2 + ext);
            return false;
        }

        Span<byte> entry = stackalloc byte[4];
        if (!SystemAccess.TryRead(cpu, (s.Idtr.Base + ((ulong)vector * 4)) & 0xFFFF_FFFF, entry, out fault))
        {
            return false;
        }

        ushort ip = BinaryPrimitives.ReadUInt16LittleEndian(entry);
        ushort cs = BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
        Span<byte> frame = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16LittleEndian(frame, (ushort)s.Rip);
        BinaryPrimitives.WriteUInt16LittleEndian(frame[2..], s.Segments[(int)SegmentRegister.Cs].Selector);
        BinaryPrimitives.WriteUInt16LittleEndian(frame[4..], (ushort)s.Rflags);
        ulong sp = (cpu.StackPointer - 6) & FlagMath.Mask(cpu.StackAddressSize);
        // The frame goes through SS's limit like any push: beyond the (normally 64 KiB) limit is #SS(0).
        if (!cpu.TryApplySegment(Iced.Intel.Register.SS, sp, frame.Length, MemoryAccess.Write, out ulong linear))
        {
            fault = cpu.Fault;
            return false;
        }

        if (!cpu.Memory.TryWrite(linear, frame, MemoryAccess.Write, out fault))
        {
            return false;
        }

        cpu.SetStackPointer(sp);
        ref SegmentCache codeSegment = ref s.Segment(SegmentRegister.Cs);
        codeSegment.Selector = cs;
        codeSegment.Base = (ulong)cs << 4;
        s.Rip = ip;
        s.Rflags &= ~(RflagsBits.IF | RflagsBits.TF | RflagsBits.AC | RflagsBits.RF);
        s.InterruptShadow = 0;
        return true;
    }

    /// <summary>Stacks of CPL 0-2 are supervisor pages: written as implicit supervisor accesses; CPL 3 stacks as user accesses.</summary>
    /// <summary>
    /// Writes the frame in one access; when that page-faults, the pushes are redone one slot at a
    /// time from the top (SS is pushed first), so CR2 names the first push that faults, as on QEMU.
    /// </summary>
    private static bool TryWriteStack(ExecutionContext cpu, ulong linear, ReadOnlySpan<byte> bytes, int newCpl, int slot, out CpuFault fault)
    {
        if (TryWriteOnce(cpu, linear, bytes, newCpl, out fault))
        {
            return true;
        }

        if (fault.Vector != ExceptionVector.PageFault)
        {
            return false;
        }

        for (int offset = bytes.Length - slot; offset >= 0; offset -= slot)
        {
            if (!TryWriteOnce(cpu, linear + (ulong)offset, bytes.Slice(offset, slot), newCpl, out fault))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryWriteOnce(ExecutionContext cpu, ulong linear, ReadOnlySpan<byte> bytes, int newCpl, out CpuFault fault) =>
        newCpl < 3
            ? SystemAccess.TryWrite(cpu, linear, bytes, out fault)
            : cpu.Memory.TryWrite(linear, bytes, MemoryAccess.Write, out fault);

    private static void Commit(ref CpuState s, int newCpl, ulong rsp, ulong rip, bool interruptGate)
    {
        s.Cpl = (byte)newCpl;
        s.Gpr[(int)GeneralRegister.Rsp] = rsp;
        s.Rip = rip;
        ulong cleared = ClearedOnDelivery | (interruptGate ? RflagsBits.IF : 0);
        s.Rflags = (s.Rflags & ~cleared) | RflagsBits.Fixed1;
        s.InterruptShadow = 0;
    }
}
