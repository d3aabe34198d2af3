using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Bench;

/// <summary>
/// A 64 KiB <c>-bios</c> image for QEMU: from the reset vector to 32-bit protected mode, then long
/// mode with the first 2 MiB identity-mapped by one large page, then a <see cref="GuestLoop"/>, then
/// a write to <c>isa-debug-exit</c> at port F4h, which ends QEMU. Runs from the BIOS's low alias at
/// F0000h (code16 at F0000h, code32 at F0100h, code64 at F0400h, GDT at F0800h).
/// </summary>
internal static class LoopBios
{
    public const int Size = 0x10000;
    public const ushort DebugExitPort = 0xF4;

    private const uint Base = 0xF0000;
    private const uint Code32 = Base + 0x100;
    private const uint Code64 = Base + 0x400;
    private const uint Gdt = Base + 0x800;
    private const uint GdtPointer = Base + 0x900;
    private const uint Pml4 = 0x1000;
    private const uint Pdpt = 0x2000;
    private const uint PageDirectory = 0x3000;
    private const ushort FlatCode32 = 0x08;
    private const ushort FlatData32 = 0x10;
    private const ushort FlatCode64 = 0x18;

    public static byte[] Build(GuestLoop loop, uint iterations)
    {
        byte[] image = new byte[Size];
        Place(image, Base, Assemble(16, Base, RealMode));
        Place(image, Code32, Assemble(32, Code32, ProtectedMode));
        Place(image, Code64, Assemble(64, Code64, a => loop.Emit(a, iterations, Exit)));
        ulong[] gdt = [0, 0x00CF_9B00_0000_FFFF, 0x00CF_9300_0000_FFFF, 0x00AF_9B00_0000_FFFF];
        for (int i = 0; i < gdt.Length; i++)
        {
            Place(image, Gdt + (uint)(i * 8), BitConverter.GetBytes(gdt[i]));
        }

        Place(image, GdtPointer, [.. BitConverter.GetBytes((ushort)((gdt.Length * 8) - 1)), .. BitConverter.GetBytes(Gdt)]);

        // The reset vector F000:FFF0: a far jump to F000:0000 moves CS's base to the low alias.
        Place(image, Base + 0xFFF0, Assemble(16, Base + 0xFFF0, a => a.AddInstruction(Instruction.CreateBranch(Code.Jmp_ptr1616, 0xF000, 0))));
        return image;
    }

    private static void RealMode(Assembler a)
    {
        a.cli();
        a.mov(ax, 0xF000);
        a.mov(ds, ax);
        a.lgdt(__[GdtPointer - Base]);
        a.mov(eax, cr0);
        a.or(eax, 1);
        a.mov(cr0, eax);
        a.AddInstruction(Instruction.CreateBranch(Code.Jmp_ptr1632, FlatCode32, Code32));
    }

    private static void ProtectedMode(Assembler a)
    {
        a.mov(ax, FlatData32);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(ss, ax);
        a.mov(esp, 0x8_0000);
        a.mov(__dword_ptr[Pml4], Pdpt | 3);
        a.mov(__dword_ptr[Pdpt], PageDirectory | 3);
        a.mov(__dword_ptr[PageDirectory], 0x83);
        a.mov(eax, Pml4);
        a.mov(cr3, eax);
        a.mov(eax, cr4);
        a.or(eax, 0x20);
        a.mov(cr4, eax);
        a.mov(ecx, 0xC000_0080);
        a.rdmsr();
        a.or(eax, 0x100);
        a.wrmsr();
        a.mov(eax, cr0);
        a.or(eax, 0x8000_0000);
        a.mov(cr0, eax);
        a.AddInstruction(Instruction.CreateBranch(Code.Jmp_ptr1632, FlatCode64, Code64));
    }

    /// <summary>isa-debug-exit: QEMU exits with status (value &lt;&lt; 1) | 1.</summary>
    private static void Exit(Assembler a)
    {
        Label again = a.CreateLabel();
        a.mov(al, 0);
        a.@out((byte)DebugExitPort, al);
        a.Label(ref again);
        a.hlt();
        a.jmp(again);
    }

    private static byte[] Assemble(int bitness, uint address, Action<Assembler> code)
    {
        var assembler = new Assembler(bitness);
        code(assembler);
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), address);
        return stream.ToArray();
    }

    private static void Place(byte[] image, uint address, byte[] bytes) => bytes.CopyTo(image, (int)(address - Base));
}
