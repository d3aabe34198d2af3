namespace Emulator.Cpu;

/// <summary>
/// Byte offsets of <see cref="CpuState"/>'s fields, as constants that code generators can embed
/// (<c>[rbx + CpuStateLayout.Rip]</c>). Each offset is written as the previous field's end, which
/// is how sequential layout places them (8-byte fields first, so no padding appears); the test
/// suite checks every constant against the struct's real layout, so a field added without its
/// constant fails the build's tests rather than miscompiling guest code.
/// </summary>
public static class CpuStateLayout
{
    public const int GprSize = 8;
    public const int SegmentSize = 24;
    public const int DescriptorTableSize = 16;
    public const int XmmSize = 16;
    public const int FprSize = 16;
    public const int MtrrVariableRangeSize = 16;

    public const int Gpr = 0;
    public const int Rip = Gpr + (GprFile.Count * GprSize);
    public const int Rflags = Rip + 8;
    public const int Segments = Rflags + 8;
    public const int Ldtr = Segments + (SegmentFile.Count * SegmentSize);
    public const int Tr = Ldtr + SegmentSize;
    public const int Gdtr = Tr + SegmentSize;
    public const int Idtr = Gdtr + DescriptorTableSize;
    public const int Cr0 = Idtr + DescriptorTableSize;
    public const int Cr2 = Cr0 + 8;
    public const int Cr3 = Cr2 + 8;
    public const int Cr4 = Cr3 + 8;
    public const int Cr8 = Cr4 + 8;
    public const int Efer = Cr8 + 8;
    public const int Dr0 = Efer + 8;
    public const int Dr1 = Dr0 + 8;
    public const int Dr2 = Dr1 + 8;
    public const int Dr3 = Dr2 + 8;
    public const int Dr6 = Dr3 + 8;
    public const int Dr7 = Dr6 + 8;
    public const int Star = Dr7 + 8;
    public const int Lstar = Star + 8;
    public const int Cstar = Lstar + 8;
    public const int Sfmask = Cstar + 8;
    public const int KernelGsBase = Sfmask + 8;
    public const int SysenterCs = KernelGsBase + 8;
    public const int SysenterEsp = SysenterCs + 8;
    public const int SysenterEip = SysenterEsp + 8;
    public const int Pat = SysenterEip + 8;
    public const int TscAux = Pat + 8;
    public const int ApicBase = TscAux + 8;
    public const int MiscEnable = ApicBase + 8;
    public const int MtrrDefType = MiscEnable + 8;
    public const int MtrrFixed = MtrrDefType + 8;
    public const int MtrrVariable = MtrrFixed + (MtrrFixedFile.Count * 8);
    public const int Xmm = MtrrVariable + (MtrrVariableFile.Count * MtrrVariableRangeSize);
    public const int Fpr = Xmm + (XmmFile.Count * XmmSize);
    public const int Fip = Fpr + (X87RegisterFile.Count * FprSize);
    public const int Fdp = Fip + 8;
    public const int Mxcsr = Fdp + 8;
    public const int Fcw = Mxcsr + 4;
    public const int Fsw = Fcw + 2;
    public const int Fop = Fsw + 2;
    public const int Fcs = Fop + 2;
    public const int Fds = Fcs + 2;
    public const int Ftw = Fds + 2;
    public const int FpuTop = Ftw + 1;
    public const int Cpl = FpuTop + 1;
    public const int InterruptShadow = Cpl + 1;
    public const int Halted = InterruptShadow + 1;
    public const int A20Enabled = Halted + 1;
    public const int NmiBlocked = A20Enabled + 1;

    /// <summary>sizeof(CpuState): the last field's end rounded up to the struct's 8-byte alignment.</summary>
    public const int Size = (NmiBlocked + 1 + 7) & ~7;

    /// <summary>Offsets inside a <see cref="SegmentCache"/>.</summary>
    public const int SegmentBase = 0;
    public const int SegmentLimit = 8;
    public const int SegmentFlags = 12;
    public const int SegmentSelector = 16;

    /// <summary>Offsets inside a <see cref="DescriptorTable"/>.</summary>
    public const int DescriptorTableBase = 0;
    public const int DescriptorTableLimit = 8;

    /// <summary>Offsets inside a <see cref="Float80"/>.</summary>
    public const int FprSignificand = 0;
    public const int FprSignExponent = 8;

    /// <summary>The alignment <see cref="Vcpu"/> gives the state: a cache line, so XMM slots are 16-byte aligned.</summary>
    public const int Alignment = 64;

    public static int GprOffset(GeneralRegister register) => Gpr + ((int)register * GprSize);

    public static int SegmentOffset(SegmentRegister register) => Segments + ((int)register * SegmentSize);

    public static int XmmOffset(int index) => Xmm + (index * XmmSize);

    public static int FprOffset(int physicalIndex) => Fpr + (physicalIndex * FprSize);
}
