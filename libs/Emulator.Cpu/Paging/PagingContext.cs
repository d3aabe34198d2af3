namespace Emulator.Cpu;

/// <summary>
/// Everything a translation depends on besides the linear address, taken from the control
/// registers, EFER, RFLAGS.AC and CPL in one place so the walker and the TLB stay pure.
/// </summary>
public readonly record struct PagingContext(
    PagingMode Mode,
    ulong Cr3,
    bool WriteProtect,
    bool PageSizeExtensions,
    bool GlobalPages,
    bool Smep,
    bool Smap,
    bool NoExecuteEnabled,
    bool AlignmentCheck,
    byte Cpl)
{
    public static PagingContext FromState(in CpuState state)
    {
        PagingMode mode = (state.Cr0 & Cr0Bits.PG) == 0 ? PagingMode.None
            : (state.Efer & EferBits.LMA) != 0 ? PagingMode.FourLevel
            : (state.Cr4 & Cr4PagingBits.PAE) != 0 ? PagingMode.Pae
            : PagingMode.Legacy32;
        return new PagingContext(
            mode,
            state.Cr3,
            (state.Cr0 & Cr0Bits.WP) != 0,
            (state.Cr4 & Cr4PagingBits.PSE) != 0,
            (state.Cr4 & Cr4PagingBits.PGE) != 0,
            (state.Cr4 & Cr4PagingBits.SMEP) != 0,
            (state.Cr4 & Cr4PagingBits.SMAP) != 0,
            (state.Efer & EferBits.NXE) != 0,
            (state.Rflags & RflagsBits.AC) != 0,
            state.Cpl);
    }

    /// <summary>XD bits exist only in PAE and 4-level entries, and only with EFER.NXE.</summary>
    public bool HasExecuteDisable => NoExecuteEnabled && Mode is PagingMode.Pae or PagingMode.FourLevel;

    /// <summary>User-mode access: CPL 3 and not an implicit system-structure access (SDM 4.6.1).</summary>
    public bool IsUserAccess(bool implicitSupervisor) => Cpl == 3 && !implicitSupervisor;

    /// <summary>The access-kind bits of a #PF error code: W/R, U/S and I/D (SDM 4.7).</summary>
    public uint AccessErrorBits(MemoryAccess access, bool implicitSupervisor)
    {
        uint code = 0;
        if (access == MemoryAccess.Write)
        {
            code |= PageFaultErrorCode.Write;
        }

        if (IsUserAccess(implicitSupervisor))
        {
            code |= PageFaultErrorCode.User;
        }

        // I/D is reported only when fetches can be refused for their own sake: SMEP, or XD in use.
        if (access == MemoryAccess.Execute && (Smep || HasExecuteDisable))
        {
            code |= PageFaultErrorCode.InstructionFetch;
        }

        return code;
    }
}
