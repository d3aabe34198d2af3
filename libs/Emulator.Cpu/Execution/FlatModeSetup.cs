namespace Emulator.Cpu;

/// <summary>
/// Puts a <see cref="CpuState"/> straight into a flat mode without running the guest's mode-switch
/// code: for tests, differential runs and loaders. Paging bits are set as the mode requires;
/// <see cref="FlatMemory"/> ignores them (linear = physical).
/// </summary>
public static class FlatModeSetup
{
    public const ushort CodeSelector64 = 0x08;
    public const ushort CodeSelector32 = 0x10;
    public const ushort DataSelector = 0x18;

    private const uint Code = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed;
    private const uint Data = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed | SegmentFlags.Big | SegmentFlags.Granularity;

    /// <summary>64-bit mode at CPL 0: CR0.PE|PG, CR4.PAE, EFER.LME|LMA, CS.L, flat data segments, RFLAGS = 2, no halt.</summary>
    public static void LongMode64(ref CpuState state, ulong rip, ulong rsp)
    {
        SetFlat(ref state, rip, rsp, new SegmentCache(CodeSelector64, 0, 0xFFFF_FFFF, Code | SegmentFlags.Long | SegmentFlags.Granularity));
        state.Cr0 = Cr0Bits.PE | Cr0Bits.PG | Cr0Bits.ET | Cr0Bits.NE;
        state.Cr4 = 1UL << 5;
        state.Efer = EferBits.LME | EferBits.LMA;
    }

    /// <summary>32-bit protected mode, flat 4 GiB segments, CPL 0, paging off.</summary>
    public static void Protected32(ref CpuState state, ulong rip, ulong rsp)
    {
        SetFlat(ref state, rip, rsp, new SegmentCache(CodeSelector32, 0, 0xFFFF_FFFF, Code | SegmentFlags.Big | SegmentFlags.Granularity));
        state.Cr0 = Cr0Bits.PE | Cr0Bits.ET | Cr0Bits.NE;
        state.Efer = 0;
    }

    private static void SetFlat(ref CpuState state, ulong rip, ulong rsp, SegmentCache code)
    {
        for (int i = 0; i < SegmentFile.Count; i++)
        {
            state.Segments[i] = new SegmentCache(DataSelector, 0, 0xFFFF_FFFF, Data);
        }

        state.Segment(SegmentRegister.Cs) = code;
        state.Rip = rip;
        state.Register(GeneralRegister.Rsp) = rsp;
        state.Rflags = RflagsBits.Fixed1;
        state.Cpl = 0;
        state.Halted = 0;
        state.InterruptShadow = 0;
    }
}
