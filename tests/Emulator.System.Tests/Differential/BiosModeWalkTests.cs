using System.Buffers.Binary;
using Emulator.System.Tests.EndToEnd;
using Emulator.System.Tests.EndToEnd.Guests;
using Iced.Intel;
using static Emulator.System.Tests.EndToEnd.Guests.KernelPrint;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.Differential;

/// <summary>
/// A <c>-bios</c> image that starts at the reset vector in real mode and walks to protected and
/// then long mode itself (its GDT and page tables built in low RAM), printing as it goes; both
/// QEMU and emu must accept the image and print the same.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BiosModeWalkTests
{
    private const byte Done = 0x24;
    private const ulong Base = BiosImageWriter.CodeBase;
    private const ulong Code32 = Base + 0x1000;
    private const ulong Code64 = Base + 0x2000;
    private const ulong Strings = Base + 0x8000;
    private const uint GdtAt = 0x1000;
    private const uint GdtPointerAt = 0x1100;
    private const uint Pml4At = 0x1_0000;

    [Fact(Timeout = Patience.TestMs)]
    public async Task RealToProtectedToLongMatchesQemu()
    {
        await Task.Yield();
        var k = new KernelBuilder(Base, Strings);
        k.Code(Base, 16, RealMode);
        k.Code(Code32, 32, ProtectedMode);
        k.Code(Code64, 64, LongMode);
        byte[] image = BiosImageWriter.Build(k.Build());
        KernelDifferential.AssertSameAsQemu(image, (Done << 1) | 1, bios: true);
    }

    private static void RealMode(KernelBuilder k)
    {
        Assembler a = k.A;
        a.cli();
        foreach (char c in "real mode\n")
        {
            a.mov(al, (byte)c);
            a.@out(DebugconPort, al);
        }

        a.xor(ax, ax);
        a.mov(ds, ax);
        a.mov(ss, ax);
        a.mov(sp, 0x7000);
        ulong[] gdt = [0, 0x00CF_9A00_0000_FFFF, 0x00CF_9200_0000_FFFF, 0x00AF_9A00_0000_FFFF];
        for (int i = 0; i < gdt.Length; i++)
        {
            a.mov(__dword_ptr[GdtAt + (uint)(i * 8)], (uint)gdt[i]);
            a.mov(__dword_ptr[GdtAt + (uint)(i * 8) + 4], (uint)(gdt[i] >> 32));
        }

        a.mov(__word_ptr[GdtPointerAt], (ushort)((gdt.Length * 8) - 1));
        a.mov(__dword_ptr[GdtPointerAt + 2], GdtAt);
        a.lgdt(__[GdtPointerAt]);
        a.mov(eax, cr0);
        a.or(eax, 1);
        a.mov(cr0, eax);

        // JMP DWORD FAR 08h:pm32 (the 16-bit far jump cannot reach a 32-bit offset).
        byte[] far = new byte[8];
        far[0] = 0x66;
        far[1] = 0xEA;
        BinaryPrimitives.WriteUInt32LittleEndian(far.AsSpan(2), k.Addr32("pm32"));
        BinaryPrimitives.WriteUInt16LittleEndian(far.AsSpan(6), 0x08);
        a.db(far);
    }

    private static void ProtectedMode(KernelBuilder k)
    {
        Assembler a = k.A;
        k.Here("pm32");
        a.mov(ax, (ushort)0x10);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(ss, ax);
        a.mov(esp, 0x7000);
        Print32(k, "protected mode");
        Field32(k, "cr0", x => x.mov(eax, cr0));
        Field32(k, "esp", x => x.mov(eax, esp));
        Field32(k, "cs", x => { x.xor(eax, eax); x.mov(ax, cs); });
        Print32(k, "\n");

        // PML4 -> PDPT -> PD with 2 MiB pages: the low 2 MiB and the top 2 MiB (this firmware).
        a.mov(edi, Pml4At);
        a.mov(ecx, 0x1000);
        a.xor(eax, eax);
        a.rep.stosd();
        a.mov(__dword_ptr[Pml4At], Pml4At + 0x1003);
        a.mov(__dword_ptr[Pml4At + 0x1000], Pml4At + 0x2003);
        a.mov(__dword_ptr[Pml4At + 0x1000 + (3 * 8)], Pml4At + 0x3003);
        a.mov(__dword_ptr[Pml4At + 0x2000], 0x83);
        a.mov(__dword_ptr[Pml4At + 0x3000 + (511 * 8)], 0xFFE0_0083);
        a.mov(eax, Pml4At);
        a.mov(cr3, eax);
        a.mov(eax, cr4);
        a.or(eax, 0x20);
        a.mov(cr4, eax);
        a.mov(ecx, 0xC000_0080);
        a.rdmsr();
        a.or(eax, 0x100);
        a.wrmsr();
        a.mov(eax, cr0);
        a.or(eax, unchecked((int)0x8000_0000));
        a.mov(cr0, eax);
        a.jmp(0x18, k.Addr32("lm64"));
        EmitRoutines32(k);
    }

    private static void LongMode(KernelBuilder k)
    {
        Assembler a = k.A;
        k.Here("lm64");
        Print64(k, "long mode");
        Field64(k, "rip", x => x.lea(rax, __[k.L("lm64")]));
        Field64(k, "cr0", x => x.mov(rax, cr0));
        Field64(k, "cr3", x => x.mov(rax, cr3));
        Field64(k, "cr4", x => x.mov(rax, cr4));
        Print64(k, "\n");
        a.mov(ecx, 0xC000_0080);
        a.rdmsr();
        Field64(k, "efer", _ => { });
        Field64(k, "pml4e", x => x.mov(rax, __qword_ptr[(long)Pml4At]));
        Field64(k, "pde_top", x => x.mov(rax, __qword_ptr[(long)Pml4At + 0x3000 + (511 * 8)]));
        Print64(k, "\n");
        a.mov(al, Done);
        a.@out((byte)HelloGuests.ExitPort, al);
        a.cli();
        a.hlt();
        EmitRoutines64(k);
    }
}
