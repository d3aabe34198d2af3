namespace Emulator.Cpu;

/// <summary>
/// The state after power-up or RESET# (Intel SDM vol. 3, table 10-1 "IA-32 and Intel 64 Processor
/// States Following Power-up, Reset, or INIT"), with the values QEMU 7.2's <c>x86_cpu_reset</c>
/// chooses where the manual leaves a choice, so a fresh machine dumps exactly as QEMU's does.
/// INIT (which keeps x87/SSE state, MSRs and MTRRs) is not modelled here.
/// </summary>
public static class CpuReset
{
    /// <summary>CR0 after reset: CD, NW and ET set, everything else clear.</summary>
    public const ulong Cr0 = Cr0Bits.CD | Cr0Bits.NW | Cr0Bits.ET;

    /// <summary>DR6's reserved bits that read as 1 (QEMU's DR6_FIXED_1).</summary>
    public const ulong Dr6 = 0xFFFF_0FF0;

    /// <summary>DR7's reserved bit 10 that reads as 1 (QEMU's DR7_FIXED_1).</summary>
    public const ulong Dr7 = 0x400;

    public const ushort Fcw = 0x037F;

    public const uint Mxcsr = 0x1F80;

    /// <summary>IA32_PAT's power-on value: WB, WT, UC-, UC repeated.</summary>
    public const ulong Pat = 0x0007_0406_0007_0406;

    /// <summary>IA32_MISC_ENABLE as QEMU sets it: fast-strings enable only (no MWAIT without MONITOR in CPUID).</summary>
    public const ulong MiscEnable = 1;

    /// <summary>Real-mode data segment: present, writable, accessed (QEMU's P|S|W|A).</summary>
    public const uint DataSegmentFlags = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed;

    /// <summary>Real-mode code segment: present, readable, accessed code (QEMU's P|S|CS|R|A).</summary>
    public const uint CodeSegmentFlags = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed;

    /// <summary>
    /// Puts <paramref name="state"/> in the RESET state of a processor of <paramref name="model"/>.
    /// The bootstrap processor starts at F000:FFF0 with its APIC base marked BSP; an application
    /// processor starts halted, waiting for INIT-SIPI.
    /// </summary>
    public static void Apply(ref CpuState state, CpuModel model, bool bootstrapProcessor)
    {
        ArgumentNullException.ThrowIfNull(model);

        // Everything the table does not name is zero, as QEMU clears its CPU state before setting these.
        state = default;

        state.Rip = 0xFFF0;
        state.Rflags = RflagsBits.Fixed1;
        state.Register(GeneralRegister.Rdx) = model.Signature;

        for (int i = 0; i < SegmentFile.Count; i++)
        {
            state.Segments[i] = new SegmentCache(0, 0, 0xFFFF, DataSegmentFlags);
        }

        state.Segment(SegmentRegister.Cs) = new SegmentCache(0xF000, 0xFFFF_0000, 0xFFFF, CodeSegmentFlags);
        state.Ldtr = new SegmentCache(0, 0, 0xFFFF, SegmentFlags.Present | ((uint)SegmentFlags.TypeLdt << SegmentFlags.TypeShift));
        state.Tr = new SegmentCache(0, 0, 0xFFFF, SegmentFlags.Present | ((uint)SegmentFlags.TypeBusyTss << SegmentFlags.TypeShift));
        state.Gdtr.Limit = 0xFFFF;
        state.Idtr.Limit = 0xFFFF;

        state.Cr0 = Cr0;
        state.Dr6 = Dr6;
        state.Dr7 = Dr7;

        // x87 after FINIT: control word 37Fh, all registers empty (abridged tag 0), TOP 0.
        state.Fcw = Fcw;
        state.Mxcsr = Mxcsr;

        state.Pat = Pat;
        state.MiscEnable = MiscEnable;
        state.ApicBase = ApicBaseBits.DefaultBase | ApicBaseBits.Enable | (bootstrapProcessor ? ApicBaseBits.Bsp : 0);

        state.A20Enabled = 1;
        state.Halted = bootstrapProcessor ? (byte)0 : (byte)1;
    }
}
