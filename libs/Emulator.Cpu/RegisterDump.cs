using System.Text;

namespace Emulator.Cpu;

/// <summary>
/// The register dump of QEMU 7.2's <c>info registers</c>: <c>x86_cpu_dump_state</c>
/// (target/i386/cpu-dump.c) with the flags the HMP command passes, <c>CPU_DUMP_FPU</c> only (no
/// CCS/CCD/CCO lazy-flag line, no code bytes). The layout switches as QEMU's does: 64-bit
/// registers, segment bases and XMM8-15 in 64-bit mode (IA-32e with CS.L, QEMU's HF_CS64); 64-bit
/// GDT/IDT/CR lines and the 64-bit system-type names whenever IA-32e mode is active (HF_LMA).
/// YMM/ZMM lines never appear: the model has no AVX, so XCR0 never enables them.
/// </summary>
public static class RegisterDump
{
    private static readonly string[] SegmentNames = ["ES", "CS", "SS", "DS", "FS", "GS"];

    private static readonly string[] LegacySystemTypes =
    [
        "Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate", "IntGate16", "TrapGate16",
        "Reserved", "TSS32-avl", "Reserved", "TSS32-busy", "CallGate32", "Reserved", "IntGate32", "TrapGate32",
    ];

    private static readonly string[] LongModeSystemTypes =
    [
        "<hiword>", "Reserved", "LDT", "Reserved", "Reserved", "Reserved", "Reserved", "Reserved",
        "Reserved", "TSS64-avl", "Reserved", "TSS64-busy", "CallGate64", "Reserved", "IntGate64", "TrapGate64",
    ];

    /// <summary>The dump, lines ending in <c>\n</c>, the last one included.</summary>
    public static string Format(in CpuState state)
    {
        var text = new StringBuilder(2048);
        bool wide = state.In64BitMode;
        bool longMode = state.LongModeActive;

        if (wide)
        {
            AppendRegisterRow(text, state, wide, ["RAX", "RBX", "RCX", "RDX"], [GeneralRegister.Rax, GeneralRegister.Rbx, GeneralRegister.Rcx, GeneralRegister.Rdx]);
            AppendRegisterRow(text, state, wide, ["RSI", "RDI", "RBP", "RSP"], [GeneralRegister.Rsi, GeneralRegister.Rdi, GeneralRegister.Rbp, GeneralRegister.Rsp]);
            AppendRegisterRow(text, state, wide, ["R8 ", "R9 ", "R10", "R11"], [GeneralRegister.R8, GeneralRegister.R9, GeneralRegister.R10, GeneralRegister.R11]);
            AppendRegisterRow(text, state, wide, ["R12", "R13", "R14", "R15"], [GeneralRegister.R12, GeneralRegister.R13, GeneralRegister.R14, GeneralRegister.R15]);
            text.Append($"RIP={state.Rip:x16} RFL=");
        }
        else
        {
            AppendRegisterRow(text, state, wide, ["EAX", "EBX", "ECX", "EDX"], [GeneralRegister.Rax, GeneralRegister.Rbx, GeneralRegister.Rcx, GeneralRegister.Rdx]);
            AppendRegisterRow(text, state, wide, ["ESI", "EDI", "EBP", "ESP"], [GeneralRegister.Rsi, GeneralRegister.Rdi, GeneralRegister.Rbp, GeneralRegister.Rsp]);
            text.Append($"EIP={(uint)state.Rip:x8} EFL=");
        }

        AppendFlagsAndModes(text, state);

        for (int i = 0; i < SegmentFile.Count; i++)
        {
            AppendSegment(text, state, SegmentNames[i], state.Segments[i], wide, longMode);
        }

        AppendSegment(text, state, "LDT", state.Ldtr, wide, longMode);
        AppendSegment(text, state, "TR", state.Tr, wide, longMode);

        if (longMode)
        {
            text.Append($"GDT=     {state.Gdtr.Base:x16} {state.Gdtr.Limit:x8}\n");
            text.Append($"IDT=     {state.Idtr.Base:x16} {state.Idtr.Limit:x8}\n");
            text.Append($"CR0={(uint)state.Cr0:x8} CR2={state.Cr2:x16} CR3={state.Cr3:x16} CR4={(uint)state.Cr4:x8}\n");
        }
        else
        {
            text.Append($"GDT=     {(uint)state.Gdtr.Base:x8} {state.Gdtr.Limit:x8}\n");
            text.Append($"IDT=     {(uint)state.Idtr.Base:x8} {state.Idtr.Limit:x8}\n");
            text.Append($"CR0={(uint)state.Cr0:x8} CR2={(uint)state.Cr2:x8} CR3={(uint)state.Cr3:x8} CR4={(uint)state.Cr4:x8}\n");
        }

        // The debug registers print 64 bits wide in every mode (QEMU's TARGET_FMT_lx on x86_64),
        // and the first line keeps QEMU's trailing space.
        text.Append($"DR0={state.Dr0:x16} DR1={state.Dr1:x16} DR2={state.Dr2:x16} DR3={state.Dr3:x16} \n");
        text.Append($"DR6={state.Dr6:x16} DR7={state.Dr7:x16}\n");
        text.Append($"EFER={state.Efer:x16}\n");

        AppendFpu(text, state, wide);
        return text.ToString();
    }

    private static void AppendRegisterRow(StringBuilder text, in CpuState state, bool wide, string[] names, GeneralRegister[] registers)
    {
        for (int i = 0; i < names.Length; i++)
        {
            ulong value = state.Gpr[(int)registers[i]];
            text.Append(names[i]).Append('=');
            text.Append(wide ? value.ToString("x16") : ((uint)value).ToString("x8"));
            text.Append(i == names.Length - 1 ? '\n' : ' ');
        }
    }

    private static void AppendFlagsAndModes(StringBuilder text, in CpuState state)
    {
        ulong flags = state.Rflags;
        text.Append($"{(uint)flags:x8} [");
        text.Append(Flag(flags, RflagsBits.DF, 'D'));
        text.Append(Flag(flags, RflagsBits.OF, 'O'));
        text.Append(Flag(flags, RflagsBits.SF, 'S'));
        text.Append(Flag(flags, RflagsBits.ZF, 'Z'));
        text.Append(Flag(flags, RflagsBits.AF, 'A'));
        text.Append(Flag(flags, RflagsBits.PF, 'P'));
        text.Append(Flag(flags, RflagsBits.CF, 'C'));

        // No SMM in this machine: the field QEMU prints is always 0 here.
        text.Append($"] CPL={state.Cpl & 3} II={Bit(state.InterruptShadow)} A20={Bit(state.A20Enabled)} SMM=0 HLT={Bit(state.Halted)}\n");
    }

    private static void AppendSegment(StringBuilder text, in CpuState state, string name, in SegmentCache segment, bool wide, bool longMode)
    {
        uint flags = segment.Flags;
        text.Append(name.PadRight(3)).Append('=');
        text.Append($"{segment.Selector:x4} ");
        text.Append(wide ? segment.Base.ToString("x16") : ((uint)segment.Base).ToString("x8"));
        text.Append($" {segment.Limit:x8} {flags & SegmentFlags.AttributeMask:x8}");

        if (state.ProtectedMode && (flags & SegmentFlags.Present) != 0)
        {
            text.Append($" DPL={segment.Dpl} ");
            if ((flags & SegmentFlags.CodeOrData) == 0)
            {
                text.Append((longMode ? LongModeSystemTypes : LegacySystemTypes)[segment.Type]);
            }
            else if ((flags & SegmentFlags.Code) != 0)
            {
                text.Append((flags & SegmentFlags.Long) != 0 ? "CS64" : (flags & SegmentFlags.Big) != 0 ? "CS32" : "CS16");
                text.Append(" [").Append(Flag(flags, SegmentFlags.ConformingOrExpandDown, 'C')).Append(Flag(flags, SegmentFlags.ReadableOrWritable, 'R'));
                text.Append(Flag(flags, SegmentFlags.Accessed, 'A')).Append(']');
            }
            else
            {
                text.Append((flags & SegmentFlags.Big) != 0 || longMode ? "DS  " : "DS16");
                text.Append(" [").Append(Flag(flags, SegmentFlags.ConformingOrExpandDown, 'E')).Append(Flag(flags, SegmentFlags.ReadableOrWritable, 'W'));
                text.Append(Flag(flags, SegmentFlags.Accessed, 'A')).Append(']');
            }
        }

        text.Append('\n');
    }

    private static void AppendFpu(StringBuilder text, in CpuState state, bool wide)
    {
        text.Append($"FCW={state.Fcw:x4} FSW={state.FswWithTop:x4} [ST={state.FpuTop & 7}] FTW={state.Ftw:x2} MXCSR={state.Mxcsr:x8}\n");
        for (int i = 0; i < X87RegisterFile.Count; i++)
        {
            Float80 register = state.Fpr[i];
            text.Append($"FPR{i}={register.Significand:x16} {register.SignExponent:x4}");
            text.Append((i & 1) == 1 ? '\n' : ' ');
        }

        int count = wide ? XmmFile.Count : 8;
        for (int i = 0; i < count; i++)
        {
            XmmRegister register = state.Xmm[i];
            text.Append($"XMM{i:d2}={register.High:x16} {register.Low:x16}");
            text.Append((i & 1) == 1 ? '\n' : ' ');
        }
    }

    private static char Flag(ulong value, ulong mask, char set) => (value & mask) != 0 ? set : '-';

    private static int Bit(byte value) => value != 0 ? 1 : 0;
}
