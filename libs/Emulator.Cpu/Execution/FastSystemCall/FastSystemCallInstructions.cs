using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// SYSCALL/SYSRET and SYSENTER/SYSEXIT as the AMD APM (vol. 3) specifies them, since the CPUID
/// model says AuthenticAMD: SYSCALL/SYSRET work in legacy protected mode too (SYSCALL takes
/// EIP from STAR[31:0]); SYSRET to a non-canonical RCX does not fault at CPL 0 (the fetch at CPL 3
/// does, as on AMD, unlike Intel's #GP(0) in ring 0); SYSENTER and SYSEXIT are #UD in long mode,
/// so the Intel-only 64-bit SYSEXIT (REX.W) is #UD as well. The segments loaded are the flat
/// descriptors the selectors are assumed to name; the GDT is not read. SYSRET loads SS with flat
/// DPL 3 attributes (as Intel and QEMU; some AMD parts keep SS's old attributes).
/// </summary>
public static class FastSystemCallInstructions
{
    private const uint CodeFlags = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ReadableOrWritable
        | SegmentFlags.Accessed | SegmentFlags.Granularity;

    private const uint DataFlags = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed
        | SegmentFlags.Big | SegmentFlags.Granularity;

    private const uint Dpl3 = 3u << SegmentFlags.DplShift;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Syscall, Syscall);
        table.Add(Code.Sysretd, (ExecutionContext c, in Instruction i) => Sysret(c, wide: false));
        table.Add(Code.Sysretq, (ExecutionContext c, in Instruction i) => Sysret(c, wide: true));
        table.Add(Mnemonic.Sysenter, Sysenter);
        table.Add(Code.Sysexitd, Sysexit);
        table.Add(Code.Sysexitq, (ExecutionContext c, in Instruction i) => c.Raise(ExceptionVector.InvalidOpcode));
    }

    private static SegmentCache Flat(ushort selector, uint flags) => new(selector, 0, 0xFFFF_FFFF, flags);

    private static ExitReason Syscall(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if ((s.Efer & EferBits.SCE) == 0)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        ushort selector = (ushort)((s.Star >> 32) & 0xFFFC);
        if (s.LongModeActive)
        {
            bool from64 = s.In64BitMode;
            s.Gpr[(int)GeneralRegister.Rcx] = s.Rip;
            s.Gpr[(int)GeneralRegister.R11] = s.Rflags & ~RflagsBits.RF;
            s.Segment(SegmentRegister.Cs) = Flat(selector, CodeFlags | SegmentFlags.Long);
            s.Segment(SegmentRegister.Ss) = Flat((ushort)(selector + 8), DataFlags);
            s.Rflags = (s.Rflags & ~s.Sfmask & ~RflagsBits.RF) | RflagsBits.Fixed1;
            s.Rip = from64 ? s.Lstar : s.Cstar;
        }
        else
        {
            s.Gpr[(int)GeneralRegister.Rcx] = s.Rip & 0xFFFF_FFFF;
            s.Segment(SegmentRegister.Cs) = Flat(selector, CodeFlags | SegmentFlags.Big);
            s.Segment(SegmentRegister.Ss) = Flat((ushort)(selector + 8), DataFlags);
            s.Rflags = (s.Rflags & ~(RflagsBits.VM | RflagsBits.IF | RflagsBits.RF)) | RflagsBits.Fixed1;
            s.Rip = s.Star & 0xFFFF_FFFF;
        }

        s.Cpl = 0;
        return ExitReason.Continue;
    }

    private static ExitReason Sysret(ExecutionContext cpu, bool wide)
    {
        ref CpuState s = ref cpu.State;
        if ((s.Efer & EferBits.SCE) == 0)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (!s.ProtectedMode || (s.Rflags & RflagsBits.VM) != 0 || s.Cpl != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        ushort selector = (ushort)(s.Star >> 48);
        ulong rcx = s.Gpr[(int)GeneralRegister.Rcx];
        if (s.LongModeActive)
        {
            s.Segment(SegmentRegister.Cs) = wide
                ? Flat((ushort)((selector + 16) | 3), CodeFlags | SegmentFlags.Long | Dpl3)
                : Flat((ushort)(selector | 3), CodeFlags | SegmentFlags.Big | Dpl3);
            s.Rflags = (s.Gpr[(int)GeneralRegister.R11] & ~(RflagsBits.RF | RflagsBits.VM)) | RflagsBits.Fixed1;
            s.Rip = wide ? rcx : rcx & 0xFFFF_FFFF;
        }
        else
        {
            s.Segment(SegmentRegister.Cs) = Flat((ushort)(selector | 3), CodeFlags | SegmentFlags.Big | Dpl3);
            s.Rflags |= RflagsBits.IF;
            s.Rip = rcx & 0xFFFF_FFFF;
        }

        s.Segment(SegmentRegister.Ss) = Flat((ushort)((selector + 8) | 3), DataFlags | Dpl3);
        s.Cpl = 3;
        return ExitReason.Continue;
    }

    private static ExitReason Sysenter(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if (s.LongModeActive)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        ushort selector = (ushort)(s.SysenterCs & 0xFFFC);
        if (!s.ProtectedMode || selector == 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        s.Segment(SegmentRegister.Cs) = Flat(selector, CodeFlags | SegmentFlags.Big);
        s.Segment(SegmentRegister.Ss) = Flat((ushort)(selector + 8), DataFlags);
        s.Rflags = (s.Rflags & ~(RflagsBits.VM | RflagsBits.IF | RflagsBits.RF)) | RflagsBits.Fixed1;
        s.Gpr[(int)GeneralRegister.Rsp] = s.SysenterEsp & 0xFFFF_FFFF;
        s.Rip = s.SysenterEip & 0xFFFF_FFFF;
        s.Cpl = 0;
        return ExitReason.Continue;
    }

    private static ExitReason Sysexit(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if (s.LongModeActive)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        ushort selector = (ushort)(s.SysenterCs & 0xFFFC);
        if (!s.ProtectedMode || (s.Rflags & RflagsBits.VM) != 0 || s.Cpl != 0 || selector == 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        s.Segment(SegmentRegister.Cs) = Flat((ushort)((selector + 16) | 3), CodeFlags | SegmentFlags.Big | Dpl3);
        s.Segment(SegmentRegister.Ss) = Flat((ushort)((selector + 24) | 3), DataFlags | Dpl3);
        s.Gpr[(int)GeneralRegister.Rsp] = s.Gpr[(int)GeneralRegister.Rcx] & 0xFFFF_FFFF;
        s.Rip = s.Gpr[(int)GeneralRegister.Rdx] & 0xFFFF_FFFF;
        s.Cpl = 3;
        return ExitReason.Continue;
    }
}
