namespace Emulator.Cpu;

/// <summary>
/// RDMSR/WRMSR semantics (Intel SDM vol. 4; AMD APM vol. 2, appendix A) for the MSRs Linux uses.
/// Unknown MSRs and illegal values make the Try methods return false (the instruction raises
/// #GP(0)): Linux probes optional MSRs with exception-safe reads. The privilege check is the
/// instruction's, not done here.
/// </summary>
public static class ModelSpecificRegisters
{
    /// <summary>IA32_MTRRCAP as QEMU reports it: 8 variable ranges, fixed ranges, write-combining.</summary>
    public const ulong MtrrCap = 0x508;

    private const ulong MtrrDefTypeDefined = 0xFFUL | (1UL << 10) | (1UL << 11);
    private const ulong MtrrMaskValid = 1UL << 11;
    private const ulong PageAddressMask = ((1UL << ControlRegisterWrites.PhysicalAddressBits) - 1) & ~0xFFFUL;

    public static bool TryRead(ref CpuState state, SystemServices system, uint index, out ulong value)
    {
        ArgumentNullException.ThrowIfNull(system);
        value = 0;
        switch (index)
        {
            case MsrIndex.Tsc: value = system.Tsc; return true;
            case MsrIndex.ApicBase: value = state.ApicBase; return true;
            case MsrIndex.MtrrCap: value = MtrrCap; return true;
            case MsrIndex.SysenterCs: value = state.SysenterCs; return true;
            case MsrIndex.SysenterEsp: value = state.SysenterEsp; return true;
            case MsrIndex.SysenterEip: value = state.SysenterEip; return true;
            case MsrIndex.MiscEnable: value = state.MiscEnable; return true;
            case MsrIndex.Pat: value = state.Pat; return true;
            case MsrIndex.MtrrDefType: value = state.MtrrDefType; return true;
            case MsrIndex.Efer: value = state.Efer; return true;
            case MsrIndex.Star: value = state.Star; return true;
            case MsrIndex.Lstar: value = state.Lstar; return true;
            case MsrIndex.Cstar: value = state.Cstar; return true;
            case MsrIndex.Sfmask: value = state.Sfmask; return true;
            case MsrIndex.FsBase: value = state.Segments[(int)SegmentRegister.Fs].Base; return true;
            case MsrIndex.GsBase: value = state.Segments[(int)SegmentRegister.Gs].Base; return true;
            case MsrIndex.KernelGsBase: value = state.KernelGsBase; return true;
            case MsrIndex.TscAux: value = state.TscAux; return true;
        }

        if (index is >= MsrIndex.MtrrPhysBase0 and <= MsrIndex.MtrrPhysMaskLast)
        {
            ref MtrrVariableRange range = ref state.MtrrVariable[(int)(index - MsrIndex.MtrrPhysBase0) / 2];
            value = (index & 1) == 0 ? range.Base : range.Mask;
            return true;
        }

        int fixedSlot = FixedSlot(index);
        if (fixedSlot >= 0)
        {
            value = state.MtrrFixed[fixedSlot];
            return true;
        }

        if (MachineCheckBanks.Claims(index))
        {
            return system.MachineCheck.TryRead(index, out value);
        }

        return system.MsrExtension is { } extension && extension.TryRead(system, index, out value);
    }

    public static bool TryWrite(ref CpuState state, SystemServices system, uint index, ulong value)
    {
        ArgumentNullException.ThrowIfNull(system);
        switch (index)
        {
            case MsrIndex.Tsc:
                system.SetTsc(value);
                return true;
            case MsrIndex.ApicBase:
                if (!TryWriteApicBase(ref state, value))
                {
                    return false;
                }

                system.MsrExtension?.Written(index, state.ApicBase);
                return true;
            case MsrIndex.SysenterCs:
                state.SysenterCs = value & 0xFFFF;
                return true;
            case MsrIndex.SysenterEsp:
                return Store(ref state.SysenterEsp, value, Canonical.Is(value));
            case MsrIndex.SysenterEip:
                return Store(ref state.SysenterEip, value, Canonical.Is(value));
            case MsrIndex.MiscEnable:
                state.MiscEnable = value;
                return true;
            case MsrIndex.Pat:
                return Store(ref state.Pat, value, MemoryTypes.AllBytesValid(value, pat: true));
            case MsrIndex.MtrrDefType:
                return Store(ref state.MtrrDefType, value,
                    (value & ~MtrrDefTypeDefined) == 0 && MemoryTypes.IsValidMtrrType(value & 0xFF));
            case MsrIndex.Efer:
                return ControlRegisterWrites.TryWriteEfer(ref state, value);
            case MsrIndex.Star:
                state.Star = value;
                return true;
            case MsrIndex.Lstar:
                return Store(ref state.Lstar, value, Canonical.Is(value));
            case MsrIndex.Cstar:
                return Store(ref state.Cstar, value, Canonical.Is(value));
            case MsrIndex.Sfmask:
                // The upper half is reserved (AMD APM vol. 2, 6.1.1).
                return Store(ref state.Sfmask, value, (value >> 32) == 0);
            case MsrIndex.FsBase:
                return Store(ref state.Segments[(int)SegmentRegister.Fs].Base, value, Canonical.Is(value));
            case MsrIndex.GsBase:
                return Store(ref state.Segments[(int)SegmentRegister.Gs].Base, value, Canonical.Is(value));
            case MsrIndex.KernelGsBase:
                return Store(ref state.KernelGsBase, value, Canonical.Is(value));
            case MsrIndex.TscAux:
                return Store(ref state.TscAux, value, (value >> 32) == 0);
        }

        if (index is >= MsrIndex.MtrrPhysBase0 and <= MsrIndex.MtrrPhysMaskLast)
        {
            ref MtrrVariableRange range = ref state.MtrrVariable[(int)(index - MsrIndex.MtrrPhysBase0) / 2];
            return (index & 1) == 0
                ? Store(ref range.Base, value, (value & ~(PageAddressMask | 0xFF)) == 0 && MemoryTypes.IsValidMtrrType(value & 0xFF))
                : Store(ref range.Mask, value, (value & ~(PageAddressMask | MtrrMaskValid)) == 0);
        }

        int fixedSlot = FixedSlot(index);
        if (fixedSlot >= 0)
        {
            return Store(ref state.MtrrFixed[fixedSlot], value, MemoryTypes.AllBytesValid(value, pat: false));
        }

        if (MachineCheckBanks.Claims(index))
        {
            return system.MachineCheck.TryWrite(index, value);
        }

        return system.MsrExtension is { } extension && extension.TryWrite(system, index, value);
    }

    /// <summary>The base must fit the physical width; BSP is read-only; x2APIC (bit 10) is not advertised.</summary>
    private static bool TryWriteApicBase(ref CpuState state, ulong value)
    {
        const ulong writable = ApicBaseBits.Enable | 0x0000_00FF_FFFF_F000;
        if ((value & ~(writable | ApicBaseBits.Bsp)) != 0)
        {
            return false;
        }

        state.ApicBase = (value & writable) | (state.ApicBase & ApicBaseBits.Bsp);
        return true;
    }

    private static bool Store(ref ulong field, ulong value, bool valid)
    {
        if (valid)
        {
            field = value;
        }

        return valid;
    }

    /// <summary>The <see cref="MtrrFixedFile"/> slot of a fixed-range MTRR MSR, or -1.</summary>
    private static int FixedSlot(uint index) => index switch
    {
        MsrIndex.MtrrFix64K00000 => 0,
        MsrIndex.MtrrFix16K80000 => 1,
        MsrIndex.MtrrFix16KA0000 => 2,
        >= MsrIndex.MtrrFix4KC0000 and <= MsrIndex.MtrrFix4KF8000 => 3 + (int)(index - MsrIndex.MtrrFix4KC0000),
        _ => -1,
    };
}
