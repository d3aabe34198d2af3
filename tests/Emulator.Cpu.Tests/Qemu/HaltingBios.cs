using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Qemu;

/// <summary>
/// A 64 KiB <c>-bios</c> image that walks from the reset vector into 32-bit protected mode, and on
/// into IA-32e compatibility mode or 64-bit mode when asked, loads a spread of descriptor kinds, fills registers with
/// recognisable values and halts with interrupts off, so <c>info registers</c> shows a rich state
/// that stays put. It runs from the BIOS's low alias at F0000h, which QEMU maps for any image:
/// code16 at F0000h, code32 at F0100h, code64 at F0400h, the GDT at F0800h, pointers and the MXCSR value at F0900h.
/// </summary>
internal static class HaltingBios
{
    public const int Size = 0x10000;

    private const uint Base = 0xF0000;
    private const uint Code32 = Base + 0x100;
    private const uint Code64 = Base + 0x400;
    private const uint Gdt = Base + 0x800;
    private const uint GdtPointer = Base + 0x900;
    private const uint IdtPointer = Base + 0x910;
    private const uint MxcsrValue = Base + 0x920;

    /// <summary>What LDMXCSR loads: round toward zero, precision and underflow masked only.</summary>
    public const uint Mxcsr = 0x6000 | 0x1000 | 0x0800;

    public const ushort FlatCode32 = 0x08;
    public const ushort FlatData32 = 0x10;
    public const ushort FlatCode64 = 0x18;
    public const ushort Data16 = 0x20;
    public const ushort ExpandDown = 0x28;
    public const ushort UserData = 0x33;
    public const ushort Ldt = 0x38;
    public const ushort Tss32 = 0x40;
    public const ushort Tss64 = 0x48;

    // The page tables for long mode live in RAM (which starts zeroed): PML4 -> PDPT -> one 2 MiB page at 0.
    private const uint Pml4 = 0x1000;
    private const uint Pdpt = 0x2000;
    private const uint PageDirectory = 0x3000;

    public static byte[] Build(HaltingBiosMode mode)
    {
        byte[] image = new byte[Size];
        Place(image, Base, Assemble(16, Base, RealMode));
        Place(image, Code32, Assemble(32, Code32, a => ProtectedMode(a, mode)));
        Place(image, Code64, Assemble(64, Code64, LongMode));
        Place(image, Gdt, GdtBytes());
        Place(image, GdtPointer, [.. BitConverter.GetBytes((ushort)(GdtEntries.Length * 8 - 1)), .. BitConverter.GetBytes(Gdt)]);
        Place(image, IdtPointer, [.. BitConverter.GetBytes((ushort)0x0FFF), .. BitConverter.GetBytes(0x00008000u)]);
        Place(image, MxcsrValue, BitConverter.GetBytes(Mxcsr));

        // The reset vector, F000:FFF0 (linear FFFFFFF0h, the image's last 16 bytes): a far jump
        // to F000:0000 moves CS's base from FFFF0000h to F0000h, the low alias.
        Place(image, Base + 0xFFF0, Assemble(16, Base + 0xFFF0, a => a.AddInstruction(Instruction.CreateBranch(Code.Jmp_ptr1616, 0xF000, 0))));
        return image;
    }

    private static void RealMode(Assembler a)
    {
        a.cli();
        a.mov(ax, 0xF000);
        a.mov(ds, ax);

        // A 16-bit LGDT loads a 24-bit base: enough for F0800h.
        a.lgdt(__[GdtPointer - Base]);
        a.mov(eax, cr0);
        a.or(eax, 1);
        a.mov(cr0, eax);
        a.AddInstruction(Instruction.CreateBranch(Code.Jmp_ptr1632, FlatCode32, Code32));
    }

    private static void ProtectedMode(Assembler a, HaltingBiosMode mode)
    {
        bool longMode = mode != HaltingBiosMode.Protected;
        a.mov(ax, FlatData32);
        a.mov(ds, ax);
        a.mov(ss, ax);
        a.mov(esp, 0x9000);
        a.mov(ax, Data16);
        a.mov(es, ax);
        a.mov(ax, ExpandDown);
        a.mov(fs, ax);
        a.mov(ax, UserData);
        a.mov(gs, ax);
        a.mov(ax, Ldt);
        a.lldt(ax);
        a.lidt(__[IdtPointer]);

        // x87: 1.0 then pi pushed, so TOP is 6, two registers are tagged valid.
        a.fninit();
        a.fld1();
        a.fldpi();

        // SSE needs CR4.OSFXSR; CR4.OSXMMEXCPT and, for long mode, PAE come along.
        a.mov(eax, cr4);
        a.or(eax, longMode ? 0x620 : 0x600);
        a.mov(cr4, eax);
        a.mov(eax, 0x11223344);
        a.movd(xmm3, eax);
        a.mov(eax, 0x55667788);
        a.movd(xmm4, eax);
        a.punpckldq(xmm3, xmm4);
        a.ldmxcsr(__dword_ptr[MxcsrValue]);

        if (!longMode)
        {
            a.mov(ax, Tss32);
            a.ltr(ax);
            Halt32(a);
            return;
        }

        a.mov(__dword_ptr[Pml4], Pdpt | 3);
        a.mov(__dword_ptr[Pdpt], PageDirectory | 3);
        a.mov(__dword_ptr[PageDirectory], 0x83);
        a.mov(eax, Pml4);
        a.mov(cr3, eax);

        // EFER: SCE | LME | NXE, then paging on activates long mode (LMA) in compatibility mode.
        a.mov(ecx, 0xC0000080);
        a.rdmsr();
        a.or(eax, 0x901);
        a.wrmsr();
        a.mov(eax, cr0);
        a.or(eax, 0x80000000);
        a.mov(cr0, eax);
        if (mode == HaltingBiosMode.Compatibility)
        {
            // Still on the 32-bit code segment: IA-32e mode is active but CS.L is clear.
            Halt32(a);
            return;
        }

        a.AddInstruction(Instruction.CreateBranch(Code.Jmp_ptr1632, FlatCode64, Code64));
    }

    private static void Halt32(Assembler a)
    {
        a.mov(eax, 0xA0A0A0A0);
        a.mov(ebx, 0xB0B0B0B0);
        a.mov(ecx, 0xC0C0C0C0);
        a.mov(edx, 0xD0D0D0D0);
        a.mov(esi, 0x51515151);
        a.mov(edi, 0xD1D1D1D1);
        a.mov(ebp, 0xBBBBBBBB);
        a.push(0x0CC7);
        a.popfd();
        Halt(a);
    }

    private static void LongMode(Assembler a)
    {
        a.mov(ax, Tss64);
        a.ltr(ax);
        WriteMsr(a, 0xC0000100, 0x00007F0012345678);
        WriteMsr(a, 0xC0000101, 0xFFFF88807DC00000);
        a.mov(rax, 0x0123456789ABCDEFUL);
        a.movq(xmm9, rax);
        a.mov(rax, 0xFEDCBA9876543210UL);
        a.movq(xmm15, rax);
        a.punpcklqdq(xmm9, xmm15);
        a.mov(rax, 0xAAAAAAAAAAAAAAAAUL);
        a.mov(rbx, 0xBBBBBBBBBBBBBBBBUL);
        a.mov(rcx, 0xCCCCCCCCCCCCCCCCUL);
        a.mov(rdx, 0xDDDDDDDDDDDDDDDDUL);
        a.mov(rsi, 0x5151515151515151UL);
        a.mov(rdi, 0xD1D1D1D1D1D1D1D1UL);
        a.mov(rbp, 0x0000000000008000UL);
        a.mov(r8, 0x0808080808080808UL);
        a.mov(r9, 0x0909090909090909UL);
        a.mov(r10, 0x1010101010101010UL);
        a.mov(r11, 0x1111111111111111UL);
        a.mov(r12, 0x1212121212121212UL);
        a.mov(r13, 0x1313131313131313UL);
        a.mov(r14, 0x1414141414141414UL);
        a.mov(r15, 0x8000000000000015UL);
        a.push(0x0CC7);
        a.popfq();
        Halt(a);
    }

    private static void WriteMsr(Assembler a, uint msr, ulong value)
    {
        a.mov(ecx, msr);
        a.mov(eax, (uint)value);
        a.mov(edx, (uint)(value >> 32));
        a.wrmsr();
    }

    /// <summary>HLT with IF clear never wakes but for NMI/SMI; loop in case one comes.</summary>
    private static void Halt(Assembler a)
    {
        Label again = a.CreateLabel();
        a.Label(ref again);
        a.hlt();
        a.jmp(again);
    }

    private static readonly ulong[] GdtEntries =
    [
        0,
        Descriptor(0, 0xFFFFF, 0x9B, 0xC),          // 08: flat 32-bit code
        Descriptor(0, 0xFFFFF, 0x93, 0xC),          // 10: flat 32-bit data
        Descriptor(0, 0xFFFFF, 0x9B, 0xA),          // 18: 64-bit code (L)
        Descriptor(0x12345, 0xFFFF, 0x93, 0x0),     // 20: 16-bit data, byte granular
        Descriptor(0, 0xFFF, 0x97, 0x4),            // 28: expand-down 32-bit data
        Descriptor(0x100000, 0xFFFFF, 0xF3, 0xC),   // 30: DPL 3 data
        Descriptor(0x5000, 0xF, 0x82, 0x0),         // 38: LDT
        Descriptor(0x6000, 0x67, 0x89, 0x0),        // 40: available 32-bit TSS
        Descriptor(0x7000, 0x67, 0x89, 0x0),        // 48: available 64-bit TSS (16 bytes) ...
        0xFFFF8000,                                 // ... base bits 32-63
    ];

    private static ulong Descriptor(uint @base, uint limit, byte access, byte flags) =>
        (limit & 0xFFFF) | ((ulong)(@base & 0xFFFFFF) << 16) | ((ulong)access << 40)
        | ((ulong)((limit >> 16) & 0xF) << 48) | ((ulong)flags << 52) | ((ulong)(@base >> 24) << 56);

    private static byte[] GdtBytes()
    {
        byte[] bytes = new byte[GdtEntries.Length * 8];
        for (int i = 0; i < GdtEntries.Length; i++)
        {
            BitConverter.GetBytes(GdtEntries[i]).CopyTo(bytes, i * 8);
        }
        return bytes;
    }

    private static byte[] Assemble(int bitness, uint address, Action<Assembler> code)
    {
        var assembler = new Assembler(bitness);
        code(assembler);
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), address);
        return stream.ToArray();
    }

    private static void Place(byte[] image, uint address, byte[] bytes)
    {
        int offset = (int)(address - Base);
        if (offset + bytes.Length > image.Length)
        {
            throw new InvalidOperationException($"{bytes.Length} bytes at {address:x} run past the image");
        }

        bytes.CopyTo(image, offset);
    }
}
