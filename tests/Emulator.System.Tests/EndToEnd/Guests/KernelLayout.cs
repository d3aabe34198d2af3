namespace Emulator.System.Tests.EndToEnd.Guests;

/// <summary>
/// Where a <see cref="TestKernel"/> keeps things (physical = linear, identity-mapped), and its
/// GDT selectors. The selectors are laid out for the fast system calls: SYSCALL takes CS 08h
/// and SS 10h; SYSRET (STAR base 18h) gives 1Bh/23h (32-bit) or 2Bh/23h (64-bit); SYSENTER
/// (IA32_SYSENTER_CS 30h) takes 30h/38h and SYSEXIT gives 43h/4Bh.
/// </summary>
internal static class KernelLayout
{
    public const ulong Code32 = MultibootElfWriter.EntryAddress;
    public const ulong Code64 = 0x10_6000;
    public const ulong Gdt = 0x10_C000;
    public const ulong GdtPointer = 0x10_C0F0;
    public const ulong IdtPointer32 = 0x10_C100;
    public const ulong IdtPointer64 = 0x10_C110;
    public const ulong Recovery = 0x10_C200;
    public const ulong Scratch = 0x10_C300;
    public const ulong Tss32 = 0x10_C400;
    public const ulong Tss64 = 0x10_C500;
    public const ulong Idt32 = 0x10_D000;
    public const ulong Idt64 = 0x10_E000;
    public const ulong Pml4 = 0x10_F000;
    public const ulong Pdpt = 0x11_0000;
    public const ulong Pd = 0x11_1000;
    public const ulong Pt0 = 0x11_2000;
    public const ulong Pt1 = 0x11_3000;
    public const ulong Strings = 0x11_4000;
    public const ulong ImageLimit = 0x11_6000;
    public const uint Stack0Top = 0x11_8000;
    public const uint Rsp0Top = 0x11_A000;
    public const uint UserStackTop = 0x11_C000;
    public const uint Ist1Top = 0x11_E000;
    public const uint SysenterStackTop = 0x12_0000;
    public const uint End = 0x12_0000;

    /// <summary>Test pages in the second 2 MiB (4 KiB pages, see <see cref="TestKernel"/>).</summary>
    public const uint NotPresentPage = 0x20_0000;
    public const uint ReadOnlyPage = 0x20_1000;
    public const uint SupervisorPage = 0x20_2000;
    public const uint NoExecutePage = 0x20_3000;
    public const uint ReservedBitPage = 0x20_4000;
    public const uint AccessedDirtyPage = 0x20_5000;

    public const ushort Code64Ring0 = 0x08;
    public const ushort DataRing0 = 0x10;
    public const ushort Code32Ring3 = 0x18;
    public const ushort DataRing3 = 0x20;
    public const ushort Code64Ring3 = 0x28;
    public const ushort Code32Ring0 = 0x30;
    public const ushort Data32Ring0 = 0x38;
    public const ushort Tss32Selector = 0x50;
    public const ushort Tss64Selector = 0x58;
    public const ushort CallGate32 = 0x68;
    public const ushort NotPresentData = 0x70;
    public const ushort CallGate64 = 0x78;
    public const ushort GdtLimit = 0x87;
}
