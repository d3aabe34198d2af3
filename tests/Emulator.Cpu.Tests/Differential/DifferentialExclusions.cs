using System.Collections.Frozen;
using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// The advertised user-level forms no host-differential suite runs, each with why it cannot run natively in a user
/// process (or why its result is the host's, not the architecture's) and where it IS tested instead.
/// <see cref="DifferentialCoverageAuditTests"/> fails when an advertised form is neither covered nor listed here,
/// and when a listed form becomes covered (so the list only ever shrinks to the truth).
/// </summary>
public static class DifferentialExclusions
{
    public const string Io =
        "I/O: IN/OUT/INS/OUTS #GP at CPL 3 with IOPL 0 on the host; the interpreter's port path is tested in " +
        "Emulator.Platform.Tests/PortIo/PortInstructionTests against device models";

    public const string InterruptFlag =
        "IF is privileged: CLI/STI #GP at CPL 3 with IOPL 0 on the host; System/FlagsAndTimeTests (CliStiAtCpl0..., CliStiAtCpl3NeedIopl3)";

    public const string SoftwareInterrupt =
        "INT n/INT3/INT1/IRET transfer through the host kernel's IDT (a signal natively); delivery is tested in " +
        "Interrupts/LongModeDeliveryTests and against QEMU in Emulator.System.Tests/Differential (KernelDifferential kernels)";

    public const string FastSystemCall =
        "SYSCALL/SYSENTER enter the host kernel; Segmentation/FastSystemCallTests and the QEMU kernel differentials";

    public const string SegmentLoad =
        "segment register loads and far transfers use the host OS's GDT/LDT (and would clobber the runtime's FS/GS base); " +
        "Segmentation/SegmentLoadTests, FarTransferTests, SegmentationFuzzTests and the QEMU differentials in " +
        "Emulator.System.Tests/Differential (ProtectedModeRingTests, LongModeTests)";

    public const string SelectorValue =
        "the result is a host selector value (CS 0x33, SS 0x2b, FS/GS 0 under Linux) the interpreter's flat setup does not share; " +
        "Segmentation/SegmentLoadTests and SegmentCheckTests";

    public const string DescriptorQuery =
        "LAR/LSL/VERR/VERW read the host kernel's descriptor tables; Segmentation/DescriptorQueryTests and SegmentationFuzzTests";

    public const string SystemTable =
        "SLDT/STR/SGDT/SIDT/SMSW return the host kernel's tables (or #GP/emulated values under UMIP); Segmentation/SystemTableTests";

    public const string ModelSpecific =
        "CPUID returns the host's model, not ours; System/CpuidTests checks every advertised leaf";

    public const string Time =
        "RDTSC/RDTSCP read a clock: host and interpreter values cannot agree; System/FlagsAndTimeTests (RdtscFollowsTheInjectedClock...) and CpuidTests";

    public const string InvalidOpcode =
        "UD0/UD1/UD2 raise #UD (SIGILL natively, which ends the test host); Execution/InvalidOpcodeTests and System/FlagsAndTimeTests.Ud2IsInvalidOpcode";

    public const string VendorNearBranch16 =
        "66h near branches in 64-bit mode: the interpreter decodes AMD-style, as its CPUID (AuthenticAMD) and this AMD host " +
        "do, so the new IP is truncated to 16 bits, a target outside the harness's snippet mapping (natively a SIGSEGV " +
        "it cannot compare); Execution/NearBranch16Tests, and against QEMU Emulator.System.Tests/Differential/NearBranch16Tests";

    public const string UndefinedResult =
        "the SDM leaves the result undefined (BSWAP r16) or it differs by vendor (MOVSXD without REX.W), so the host is no " +
        "reference; the defined forms are covered (BSWAP r32/r64, MOVSXD r64)";

    public const string HintSpace =
        "0F 0D/0F 18 reserved NOPs: whether a register form is #UD or a NOP differs between processors (we follow QEMU: " +
        "0F 0D and 0F 18 /0-/3 register forms #UD), so the host is no reference; Execution/HintNopTests";

    public const string UndocumentedX87Alias =
        "FSTPNCE (D9 D8+i), an undocumented FSTP alias: with ST0 empty this host stores and pops without the stack-underflow " +
        "exception, the interpreter runs it as FSTP (X87DataTransfer), which the x87 suite compares (fstp st1); no compiler emits it";

    public static FrozenDictionary<Code, string> Reasons { get; } = Build();

    private static FrozenDictionary<Code, string> Build()
    {
        var reasons = new Dictionary<Code, string>();
        void Add(string reason, params Code[] codes)
        {
            foreach (Code code in codes)
            {
                reasons.Add(code, reason);
            }
        }

        Add(Io, Code.Insb_m8_DX, Code.Insw_m16_DX, Code.Insd_m32_DX, Code.Outsb_DX_m8, Code.Outsw_DX_m16, Code.Outsd_DX_m32,
            Code.In_AL_imm8, Code.In_AX_imm8, Code.In_EAX_imm8, Code.Out_imm8_AL, Code.Out_imm8_AX, Code.Out_imm8_EAX,
            Code.In_AL_DX, Code.In_AX_DX, Code.In_EAX_DX, Code.Out_DX_AL, Code.Out_DX_AX, Code.Out_DX_EAX);
        Add(InterruptFlag, Code.Cli, Code.Sti);
        Add(SoftwareInterrupt, Code.Int3, Code.Int_imm8, Code.Int1, Code.Iretw, Code.Iretd, Code.Iretq);
        Add(FastSystemCall, Code.Syscall, Code.Sysenter);
        Add(SegmentLoad,
            Code.Mov_Sreg_rm16, Code.Mov_Sreg_r32m16, Code.Mov_Sreg_r64m16,
            Code.Popw_FS, Code.Popq_FS, Code.Popw_GS, Code.Popq_GS,
            Code.Lss_r16_m1616, Code.Lss_r32_m1632, Code.Lss_r64_m1664, Code.Lfs_r16_m1616, Code.Lfs_r32_m1632,
            Code.Lfs_r64_m1664, Code.Lgs_r16_m1616, Code.Lgs_r32_m1632, Code.Lgs_r64_m1664,
            Code.Retfw_imm16, Code.Retfd_imm16, Code.Retfq_imm16, Code.Retfw, Code.Retfd, Code.Retfq,
            Code.Call_m1616, Code.Call_m1632, Code.Call_m1664, Code.Jmp_m1616, Code.Jmp_m1632, Code.Jmp_m1664);
        Add(SelectorValue, Code.Mov_rm16_Sreg, Code.Mov_r32m16_Sreg, Code.Mov_r64m16_Sreg,
            Code.Pushw_FS, Code.Pushq_FS, Code.Pushw_GS, Code.Pushq_GS);
        Add(DescriptorQuery, Code.Verr_rm16, Code.Verr_r32m16, Code.Verr_r64m16, Code.Verw_rm16, Code.Verw_r32m16, Code.Verw_r64m16,
            Code.Lar_r16_rm16, Code.Lar_r32_r32m16, Code.Lar_r64_r64m16, Code.Lsl_r16_rm16, Code.Lsl_r32_r32m16, Code.Lsl_r64_r64m16);
        Add(SystemTable, Code.Sldt_rm16, Code.Sldt_r32m16, Code.Sldt_r64m16, Code.Str_rm16, Code.Str_r32m16, Code.Str_r64m16,
            Code.Sgdt_m1664, Code.Sidt_m1664, Code.Smsw_rm16, Code.Smsw_r32m16, Code.Smsw_r64m16);
        Add(ModelSpecific, Code.Cpuid);
        Add(Time, Code.Rdtsc, Code.Rdtscp);
        Add(InvalidOpcode, Code.Ud0, Code.Ud0_r16_rm16, Code.Ud0_r32_rm32, Code.Ud0_r64_rm64,
            Code.Ud1_r16_rm16, Code.Ud1_r32_rm32, Code.Ud1_r64_rm64, Code.Ud2);
        Add(VendorNearBranch16, [.. Enum.GetValues<Code>().Where(IsNearBranch16)]);
        Add(UndefinedResult, Code.Bswap_r16, Code.Movsxd_r16_rm16, Code.Movsxd_r32_rm32);
        Add(HintSpace,
            Code.Reservednop_rm16_r16_0F0D, Code.Reservednop_rm32_r32_0F0D, Code.Reservednop_rm64_r64_0F0D,
            Code.Reservednop_rm16_r16_0F18, Code.Reservednop_rm32_r32_0F18, Code.Reservednop_rm64_r64_0F18);
        Add(UndocumentedX87Alias, Code.Fstpnce_sti);
        return reasons.ToFrozenDictionary();
    }

    /// <summary>Near CALL/JMP/Jcc/LOOP/JrCXZ/RET with a 16-bit operand size (66h), legal in 64-bit mode per Iced.</summary>
    private static bool IsNearBranch16(Code code)
    {
        OpCodeInfo info = code.ToOpCode();
        if (info.Encoding != EncodingKind.Legacy || !info.Mode64 || info.OperandSize != 16 || code.Mnemonic() is Mnemonic.Retf or Mnemonic.Iret)
        {
            return false;
        }

        FlowControl flow = code.FlowControl();
        return flow is FlowControl.ConditionalBranch or FlowControl.UnconditionalBranch or FlowControl.Call or FlowControl.Return
            or FlowControl.IndirectBranch or FlowControl.IndirectCall
            && !code.ToString().Contains("_m16", StringComparison.Ordinal);
    }
}
