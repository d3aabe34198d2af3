using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Emulator.Cpu;

/// <summary>
/// The architectural state of one x86-64 logical processor, as an unmanaged struct with a fixed,
/// tested layout (<see cref="CpuStateLayout"/>) so translated code can address fields at constant
/// offsets from one base register. No references: it lives in native memory owned by a
/// <see cref="Vcpu"/>. Arrays are inline arrays (C#'s safe fixed buffers: same layout, indexable
/// without <c>unsafe</c>). Fields are ordered 8-byte values first so there is no inner padding,
/// and the XMM file sits at a 16-byte-aligned offset.
/// <para>
/// Where hardware keeps state QEMU also keeps, the representation is QEMU's, so
/// <see cref="RegisterDump"/> prints what <c>info registers</c> prints: segment flags are the
/// descriptor's high dword, x87 registers are physical R0-R7 with TOP kept apart from FSW, and
/// the CPL is cached as QEMU's <c>hflags</c> caches it.
/// </para>
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CpuState
{
    public GprFile Gpr;

    public ulong Rip;

    /// <summary>The full RFLAGS value (flags are not computed lazily in this representation).</summary>
    public ulong Rflags;

    /// <summary>ES, CS, SS, DS, FS, GS with their hidden caches; FS and GS bases are IA32_FS_BASE/GS_BASE.</summary>
    public SegmentFile Segments;

    public SegmentCache Ldtr;

    public SegmentCache Tr;

    public DescriptorTable Gdtr;

    public DescriptorTable Idtr;

    public ulong Cr0;

    /// <summary>The linear address of the last page fault.</summary>
    public ulong Cr2;

    public ulong Cr3;

    public ulong Cr4;

    /// <summary>The task-priority class (the local APIC's TPR bits 7:4), as MOV CR8 sees it.</summary>
    public ulong Cr8;

    public ulong Efer;

    public ulong Dr0;

    public ulong Dr1;

    public ulong Dr2;

    public ulong Dr3;

    public ulong Dr6;

    public ulong Dr7;

    /// <summary>IA32_STAR (C000_0081h): SYSCALL/SYSRET selectors and the legacy-mode EIP.</summary>
    public ulong Star;

    /// <summary>IA32_LSTAR (C000_0082h): the 64-bit SYSCALL entry point.</summary>
    public ulong Lstar;

    /// <summary>IA32_CSTAR (C000_0083h): the compatibility-mode SYSCALL entry point.</summary>
    public ulong Cstar;

    /// <summary>IA32_FMASK (C000_0084h): the RFLAGS bits SYSCALL clears.</summary>
    public ulong Sfmask;

    /// <summary>IA32_KERNEL_GS_BASE (C000_0102h): what SWAPGS exchanges with GS.Base.</summary>
    public ulong KernelGsBase;

    public ulong SysenterCs;

    public ulong SysenterEsp;

    public ulong SysenterEip;

    public ulong Pat;

    /// <summary>IA32_TSC_AUX (C000_0103h): what RDTSCP returns in ECX.</summary>
    public ulong TscAux;

    public ulong ApicBase;

    public ulong MiscEnable;

    /// <summary>IA32_MTRR_DEF_TYPE (2FFh).</summary>
    public ulong MtrrDefType;

    public MtrrFixedFile MtrrFixed;

    public MtrrVariableFile MtrrVariable;

    public XmmFile Xmm;

    /// <summary>x87 data registers by physical number R0-R7.</summary>
    public X87RegisterFile Fpr;

    /// <summary>The last x87 instruction's offset (FPU instruction pointer).</summary>
    public ulong Fip;

    /// <summary>The last x87 memory operand's offset (FPU data pointer).</summary>
    public ulong Fdp;

    public uint Mxcsr;

    public ushort Fcw;

    /// <summary>The x87 status word without TOP (bits 11-13 are kept in <see cref="FpuTop"/>).</summary>
    public ushort Fsw;

    /// <summary>The last x87 opcode (11 bits).</summary>
    public ushort Fop;

    public ushort Fcs;

    public ushort Fds;

    /// <summary>The abridged tag word as FXSAVE stores it: bit i set = physical register Ri is valid (not empty).</summary>
    public byte Ftw;

    /// <summary>TOP, the x87 stack top (0-7).</summary>
    public byte FpuTop;

    /// <summary>
    /// The current privilege level (0-3), cached rather than re-derived on every access: as in QEMU's
    /// hflags it follows SS.DPL when SS is loaded (architecturally equal to CS.RPL), 0 in real mode
    /// and 3 in virtual-8086 mode.
    /// </summary>
    public byte Cpl;

    /// <summary>Nonzero for one instruction after STI, MOV SS or POP SS: interrupts are held off.</summary>
    public byte InterruptShadow;

    /// <summary>Nonzero while the processor waits in HLT (or, for an application processor, for INIT-SIPI).</summary>
    public byte Halted;

    /// <summary>Nonzero when address line 20 is enabled (no wrap at 1 MiB).</summary>
    public byte A20Enabled;

    /// <summary>
    /// Nonzero from an NMI's delivery until the next IRET (SDM vol. 3, 6.7.1; QEMU's HF2_NMI_MASK):
    /// a further NMI stays pending meanwhile.
    /// </summary>
    public byte NmiBlocked;

    /// <summary>True in IA-32e mode (EFER.LMA): QEMU's HF_LMA.</summary>
    public readonly bool LongModeActive => (Efer & EferBits.LMA) != 0;

    /// <summary>True in 64-bit mode (IA-32e with CS.L): QEMU's HF_CS64.</summary>
    public readonly bool In64BitMode => LongModeActive && (Segments[(int)SegmentRegister.Cs].Flags & SegmentFlags.Long) != 0;

    /// <summary>True with CR0.PE set: QEMU's HF_PE.</summary>
    public readonly bool ProtectedMode => (Cr0 & Cr0Bits.PE) != 0;

    /// <summary>The x87 status word as FSTSW reads it, TOP included.</summary>
    public readonly ushort FswWithTop => (ushort)((Fsw & ~0x3800) | ((FpuTop & 7) << 11));

    [UnscopedRef]
    public ref ulong Register(GeneralRegister register) => ref Gpr[(int)register];

    [UnscopedRef]
    public ref SegmentCache Segment(SegmentRegister register) => ref Segments[(int)register];
}
