namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 3, 2.5 "Control Registers" and 10.8.5 "Initializing IA-32e Mode": the checks and
/// side effects of writing CR0, CR3, CR4, CR8 and EFER, on the state alone so they are testable
/// without an instruction. Each returns false (the caller raises #GP(0)) and changes nothing when
/// the write is illegal. EFER.LMA follows CR0.PG with EFER.LME, as hardware sets it.
/// </summary>
public static class ControlRegisterWrites
{
    /// <summary>CR0 bits that exist; writes to the other low bits are ignored, ET reads as 1.</summary>
    public const ulong Cr0Writable = Cr0Bits.PE | Cr0Bits.MP | Cr0Bits.EM | Cr0Bits.TS | Cr0Bits.NE | Cr0Bits.WP
        | Cr0Bits.AM | Cr0Bits.NW | Cr0Bits.CD | Cr0Bits.PG;

    /// <summary>
    /// CR4 bits the CPUID model backs (QEMU reserves a bit whose feature is not advertised): TSD, DE,
    /// PSE, PAE, MCE, PGE, PCE, OSFXSR, OSXMMEXCPT. VME/PVI, UMIP, SMEP, SMAP... are reserved here.
    /// CR4.MCE only enables a #MC that nothing raises (no error is ever logged in the banks).
    /// </summary>
    public const ulong Cr4Allowed = Cr4Bits.TSD | Cr4Bits.DE | Cr4PagingBits.PSE | Cr4PagingBits.PAE | Cr4Bits.MCE
        | Cr4PagingBits.PGE | Cr4Bits.PCE | Cr4Bits.OSFXSR | Cr4Bits.OSXMMEXCPT;

    /// <summary>EFER bits the model backs: SCE (SYSCALL), LME (LM), LMA (read-only), NXE (NX).</summary>
    public const ulong EferDefined = EferBits.SCE | EferBits.LME | EferBits.LMA | EferBits.NXE;

    /// <summary>Physical-address width of the model (CPUID 8000_0008h): bits above are reserved in CR3 and MSRs.</summary>
    public const int PhysicalAddressBits = 40;

    public static bool TryWriteCr0(ref CpuState state, ulong value)
    {
        if ((value >> 32) != 0)
        {
            return false;
        }

        ulong next = (value & Cr0Writable) | Cr0Bits.ET;
        if ((next & Cr0Bits.PG) != 0 && (next & Cr0Bits.PE) == 0)
        {
            return false;
        }

        if ((next & Cr0Bits.NW) != 0 && (next & Cr0Bits.CD) == 0)
        {
            return false;
        }

        bool pagingOn = (state.Cr0 & Cr0Bits.PG) == 0 && (next & Cr0Bits.PG) != 0;
        bool pagingOff = (state.Cr0 & Cr0Bits.PG) != 0 && (next & Cr0Bits.PG) == 0;
        ulong efer = state.Efer;
        if (pagingOn && (efer & EferBits.LME) != 0)
        {
            // Entering IA-32e mode needs PAE paging and a CS that is not already 64-bit.
            if ((state.Cr4 & Cr4PagingBits.PAE) == 0
                || (state.Segments[(int)SegmentRegister.Cs].Flags & SegmentFlags.Long) != 0)
            {
                return false;
            }

            efer |= EferBits.LMA;
        }

        if (pagingOff && (efer & EferBits.LMA) != 0)
        {
            // Leaving IA-32e mode is possible only from compatibility mode.
            if (state.In64BitMode)
            {
                return false;
            }

            efer &= ~EferBits.LMA;
        }

        state.Cr0 = next;
        state.Efer = efer;
        return true;
    }

    /// <summary>Bits above the physical-address width are reserved (PCID is not advertised).</summary>
    public static bool TryWriteCr3(ref CpuState state, ulong value)
    {
        if (state.LongModeActive ? (value >> PhysicalAddressBits) != 0 : (value >> 32) != 0)
        {
            return false;
        }

        state.Cr3 = value;
        return true;
    }

    public static bool TryWriteCr4(ref CpuState state, ulong value)
    {
        if ((value & ~Cr4Allowed) != 0)
        {
            return false;
        }

        // IA-32e mode cannot run without PAE.
        if (state.LongModeActive && (value & Cr4PagingBits.PAE) == 0)
        {
            return false;
        }

        state.Cr4 = value;
        return true;
    }

    /// <summary>CR8 is the TPR's priority class: bits 63:4 are reserved.</summary>
    public static bool TryWriteCr8(ref CpuState state, ulong value)
    {
        if ((value & ~0xFUL) != 0)
        {
            return false;
        }

        state.Cr8 = value;
        return true;
    }

    /// <summary>
    /// WRMSR EFER: reserved bits #GP; LMA is read-only (the written value is ignored); LME cannot
    /// change while paging is on.
    /// </summary>
    public static bool TryWriteEfer(ref CpuState state, ulong value)
    {
        if ((value & ~EferDefined) != 0)
        {
            return false;
        }

        if ((state.Cr0 & Cr0Bits.PG) != 0 && ((value ^ state.Efer) & EferBits.LME) != 0)
        {
            return false;
        }

        state.Efer = (value & ~EferBits.LMA) | (state.Efer & EferBits.LMA);
        return true;
    }
}
