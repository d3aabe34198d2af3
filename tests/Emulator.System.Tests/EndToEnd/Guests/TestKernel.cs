using System.Buffers.Binary;
using Iced.Intel;
using static Emulator.System.Tests.EndToEnd.Guests.KernelLayout;
using static Emulator.System.Tests.EndToEnd.Guests.KernelPrint;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.EndToEnd.Guests;

/// <summary>
/// A multiboot test kernel for differential runs: its own GDT (flat ring 0/3 code and data,
/// 64-bit code, TSSs, call gates), 32- and 64-bit IDTs whose handlers print the vector, error
/// code, CR2, the interrupt frame and the GPRs over port E9h and then go on at the address in
/// <see cref="KernelLayout.Recovery"/> (or where the frame says, when that is 0), 4-level page
/// tables for long mode, and <c>dump32</c>/<c>dump64</c> routines printing a state snapshot.
/// A scenario is the code after set-up (<c>main32</c>, and <c>main64</c> once it called
/// <see cref="EnterLongMode"/>). Nothing printed depends on the loader (no multiboot info,
/// no TSC), and every register is set before anything is printed.
/// </summary>
internal static class TestKernel
{
    public static readonly int[] Vectors = [.. Enumerable.Range(0, 32), 0x80, 0x81];

    private static readonly int[] ErrorCodeVectors = [8, 10, 11, 12, 13, 14, 17, 21];

    public static byte[] Build(Action<KernelBuilder> main32, Action<KernelBuilder>? main64 = null)
    {
        var k = new KernelBuilder(Code32, Strings);
        k.Code(Code32, 32, b =>
        {
            Setup32(b);
            main32(b);
            Halt(b);
            EmitRoutines32(b);
            Handlers32(b);
            Dump32(b);
            FastEntries32(b);
        });
        k.Code(Code64, 64, b =>
        {
            Setup64(b);
            main64?.Invoke(b);
            Halt(b);
            EmitRoutines64(b);
            Handlers64(b);
            Dump64(b);
            FastEntries64(b);
        });
        k.Data(Gdt, GdtBytes);
        k.Data(GdtPointer, _ => Pointer(GdtLimit, Gdt));
        k.Data(IdtPointer32, _ => Pointer(0x7FF, Idt32));
        k.Data(IdtPointer64, _ => Pointer(0xFFF, Idt64));
        k.Data(Tss32, _ => TssBytes(is64: false));
        k.Data(Tss64, _ => TssBytes(is64: true));
        k.Data(Idt32, b => IdtBytes(b, is64: false));
        k.Data(Idt64, b => IdtBytes(b, is64: true));
        k.Data(Pml4, _ => Table((0, Pdpt | 7)));
        k.Data(Pdpt, _ => Table((0, Pd | 7)));
        k.Data(Pd, _ => Table((0, Pt0 | 7), (1, Pt1 | 7)));
        k.Data(Pt0, _ => IdentityTable(0));
        k.Data(Pt1, _ => IdentityTable(0x20_0000));
        byte[] body = k.Build();
        if (Code32 + (ulong)body.Length > ImageLimit)
        {
            throw new InvalidOperationException("test kernel image too large");
        }

        return MultibootElfWriter.BuildElf(body, End - (uint)(Code32 + (ulong)body.Length));
    }

    /// <summary>Writes <paramref name="status"/> to isa-debug-exit, then halts.</summary>
    public static void Exit(KernelBuilder k, byte status)
    {
        k.A.mov(al, status);
        k.A.@out((byte)HelloGuests.ExitPort, al);
        Halt(k);
    }

    /// <summary>Makes the next exception handler resume at <paramref name="label"/> (32-bit code).</summary>
    public static void Recover32(KernelBuilder k, string label) => k.A.mov(__dword_ptr[(uint)Recovery], k.Addr32(label));

    public static void Recover64(KernelBuilder k, string label) => k.A.mov(__qword_ptr[(long)Recovery], (int)k.Addr32(label));

    /// <summary>IRETD to <paramref name="label"/> at ring 3 (CS 1Bh, SS 23h, IOPL 3 so it may print).</summary>
    public static void ToRing3_32(KernelBuilder k, string label)
    {
        k.A.push(DataRing3 | 3);
        k.A.push(UserStackTop);
        k.A.push(0x3002);
        k.A.push(Code32Ring3 | 3);
        k.A.push(k.Addr32(label));
        k.A.iretd();
    }

    /// <summary>IRETQ to <paramref name="label"/> at ring 3 (CS 2Bh, SS 23h, IOPL 3).</summary>
    public static void ToRing3_64(KernelBuilder k, string label)
    {
        k.A.push(DataRing3 | 3);
        k.A.push((int)UserStackTop);
        k.A.push(0x3002);
        k.A.push(Code64Ring3 | 3);
        k.A.push((int)k.Addr32(label));
        k.A.iretq();
    }

    /// <summary>From 32-bit protected mode: PAE, EFER.LME|NXE, CR3, PG, far jump to <c>main64</c>.</summary>
    public static void EnterLongMode(KernelBuilder k)
    {
        Assembler a = k.A;
        a.mov(eax, (uint)Pml4);
        a.mov(cr3, eax);
        a.mov(eax, cr4);
        a.or(eax, 0x20);
        a.mov(cr4, eax);
        a.mov(ecx, 0xC000_0080);
        a.rdmsr();
        a.or(eax, 0x900);
        a.wrmsr();
        a.mov(eax, cr0);
        a.or(eax, unchecked((int)0x8000_0000));
        a.mov(cr0, eax);
        a.jmp(Code64Ring0, k.Addr32("long_entry"));
    }

    public static void Halt(KernelBuilder k)
    {
        string spin = k.Unique("halt");
        k.Here(spin);
        k.A.cli();
        k.A.hlt();
        k.A.jmp(k.L(spin));
    }

    private static void Setup32(KernelBuilder k)
    {
        Assembler a = k.A;
        a.cli();
        a.lgdt(__[(uint)GdtPointer]);
        a.jmp(Code32Ring0, k.Addr32("reload32"));
        k.Here("reload32");
        a.mov(ax, (ushort)Data32Ring0);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(fs, ax);
        a.mov(gs, ax);
        a.mov(ss, ax);
        a.mov(esp, Stack0Top);
        a.lidt(__[(uint)IdtPointer32]);
        a.mov(ax, (ushort)Tss32Selector);
        a.ltr(ax);
        a.mov(eax, 0x31u);
        a.mov(cr0, eax);
        a.xor(eax, eax);
        a.mov(cr4, eax);
        a.mov(ecx, 0xC000_0080);
        a.xor(edx, edx);
        a.wrmsr();
        a.push(2);
        a.popfd();
        a.mov(eax, 0xA0A0_A0A0);
        a.mov(ebx, 0xB0B0_B0B0);
        a.mov(ecx, 0xC0C0_C0C0);
        a.mov(edx, 0xD0D0_D0D0);
        a.mov(esi, 0x5151_5151);
        a.mov(edi, 0xD1D1_D1D1);
        a.mov(ebp, 0xBBBB_BBBB);
    }

    private static void Setup64(KernelBuilder k)
    {
        Assembler a = k.A;
        k.Here("long_entry");
        a.mov(ax, (ushort)DataRing0);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(fs, ax);
        a.mov(gs, ax);
        a.mov(ss, ax);
        a.mov(esp, Stack0Top);
        a.lidt(__[(long)IdtPointer64]);
        a.mov(ax, (ushort)Tss64Selector);
        a.ltr(ax);
        AssemblerRegister64[] regs = [rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15];
        for (int i = 0; i < regs.Length; i++)
        {
            a.mov(regs[i], 0x1111_1111_1111_1111UL * (ulong)(i + 1));
        }
    }

    private static readonly (string Name, int Offset)[] Pushad = [("eax", 28), ("ebx", 16), ("ecx", 24), ("edx", 20), ("esi", 4), ("edi", 0), ("ebp", 8)];

    private static void Handlers32(KernelBuilder k)
    {
        Assembler a = k.A;
        foreach (int v in Vectors)
        {
            k.Here($"isr32_{v}");
            if (!ErrorCodeVectors.Contains(v))
            {
                a.push(0);
            }

            a.push(v);
            a.jmp(k.L("common32"));
        }

        k.Here("common32");
        a.pushad();
        a.mov(ebp, esp);
        Print32(k, "EXC");
        Field32(k, "vec", x => x.mov(eax, __dword_ptr[ebp + 32]));
        Field32(k, "err", x => x.mov(eax, __dword_ptr[ebp + 36]));
        Field32(k, "cr2", x => x.mov(eax, cr2));
        Field32(k, "eip", x => x.mov(eax, __dword_ptr[ebp + 40]));
        Field32(k, "cs", x => x.mov(eax, __dword_ptr[ebp + 44]));
        Field32(k, "efl", x => x.mov(eax, __dword_ptr[ebp + 48]));
        a.test(__byte_ptr[ebp + 44], 3);
        a.jz(k.L("common32_same"));
        Field32(k, "esp", x => x.mov(eax, __dword_ptr[ebp + 52]));
        Field32(k, "ss", x => x.mov(eax, __dword_ptr[ebp + 56]));
        k.Here("common32_same");
        Print32(k, "\n ");
        foreach ((string name, int offset) in Pushad)
        {
            Field32(k, name, x => x.mov(eax, __dword_ptr[ebp + offset]));
        }

        Print32(k, "\n");
        a.mov(eax, __dword_ptr[(uint)Recovery]);
        a.test(eax, eax);
        a.jz(k.L("common32_resume"));
        a.mov(__dword_ptr[ebp + 40], eax);
        a.mov(__dword_ptr[(uint)Recovery], 0);
        k.Here("common32_resume");
        a.popad();
        a.add(esp, 8);
        a.iretd();
    }

    private static void Dump32(KernelBuilder k)
    {
        Assembler a = k.A;
        k.Here("dump32");
        a.pushfd();
        a.pushad();
        a.mov(ebp, esp);
        Print32(k, "STATE32");
        foreach ((string name, int offset) in Pushad)
        {
            Field32(k, name, x => x.mov(eax, __dword_ptr[ebp + offset]));
        }

        Field32(k, "esp", x => x.lea(eax, __[ebp + 40]));
        Print32(k, "\n ");
        Field32(k, "efl", x => x.mov(eax, __dword_ptr[ebp + 32]));
        Field32(k, "cr0", x => x.mov(eax, cr0));
        Field32(k, "cr3", x => x.mov(eax, cr3));
        Field32(k, "cr4", x => x.mov(eax, cr4));
        a.mov(ecx, 0xC000_0080);
        a.rdmsr();
        Field32(k, "efer", _ => { });
        Print32(k, "\n ");
        DumpSelectors32(k);
        Print32(k, "\n");
        a.popad();
        a.popfd();
        a.ret();
    }

    private static void DumpSelectors32(KernelBuilder k)
    {
        Field32(k, "cs", x => { x.xor(eax, eax); x.mov(ax, cs); });
        Field32(k, "ds", x => { x.xor(eax, eax); x.mov(ax, ds); });
        Field32(k, "es", x => { x.xor(eax, eax); x.mov(ax, es); });
        Field32(k, "fs", x => { x.xor(eax, eax); x.mov(ax, fs); });
        Field32(k, "gs", x => { x.xor(eax, eax); x.mov(ax, gs); });
        Field32(k, "ss", x => { x.xor(eax, eax); x.mov(ax, ss); });
        Field32(k, "tr", x => { x.xor(eax, eax); x.str(ax); });
        k.A.sgdt(__[(uint)Scratch]);
        k.A.sidt(__[(uint)Scratch + 16]);
        Field32(k, "gdt", x => x.mov(eax, __dword_ptr[(uint)Scratch + 2]));
        Field32(k, "gdtl", x => x.movzx(eax, __word_ptr[(uint)Scratch]));
        Field32(k, "idt", x => x.mov(eax, __dword_ptr[(uint)Scratch + 18]));
        Field32(k, "idtl", x => x.movzx(eax, __word_ptr[(uint)Scratch + 16]));
    }

    /// <summary>Call-gate and SYSENTER targets: print how they were entered, then go on at the recovery address on the kernel stack.</summary>
    private static void FastEntries32(KernelBuilder k)
    {
        Assembler a = k.A;
        k.Here("gate32");
        Print32(k, "GATE32");
        Field32(k, "eip", x => x.mov(eax, __dword_ptr[esp + 4]));
        Field32(k, "cs", x => x.mov(eax, __dword_ptr[esp + 8]));
        Field32(k, "esp", x => x.mov(eax, __dword_ptr[esp + 12]));
        Field32(k, "ss", x => x.mov(eax, __dword_ptr[esp + 16]));
        Field32(k, "here", x => x.mov(eax, esp));
        Print32(k, "\n");
        a.call(k.Addr("dump32"));
        a.jmp(k.L("resume32"));

        k.Here("sysenter32");
        Print32(k, "SYSENTER\n");
        a.call(k.Addr("dump32"));

        k.Here("resume32");
        a.mov(esp, Stack0Top);
        a.mov(eax, __dword_ptr[(uint)Recovery]);
        a.mov(__dword_ptr[(uint)Recovery], 0);
        a.jmp(eax);
    }

    private static readonly (string Name, int Offset)[] Pushed64 =
    [
        ("rax", 112), ("rbx", 104), ("rcx", 96), ("rdx", 88), ("rsi", 80), ("rdi", 72), ("rbp", 64),
        ("r8", 56), ("r9", 48), ("r10", 40), ("r11", 32), ("r12", 24), ("r13", 16), ("r14", 8), ("r15", 0),
    ];

    private static void PushAll64(Assembler a)
    {
        foreach (AssemblerRegister64 r in new[] { rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15 })
        {
            a.push(r);
        }
    }

    private static void PopAll64(Assembler a)
    {
        foreach (AssemblerRegister64 r in new[] { r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax })
        {
            a.pop(r);
        }
    }

    private static void PrintGprs64(KernelBuilder k)
    {
        for (int i = 0; i < Pushed64.Length; i++)
        {
            (string name, int offset) = Pushed64[i];
            Field64(k, name, x => x.mov(rax, __qword_ptr[rbp + offset]));
            if (i == 7)
            {
                Print64(k, "\n ");
            }
        }
    }

    private static void Handlers64(KernelBuilder k)
    {
        Assembler a = k.A;
        foreach (int v in Vectors)
        {
            k.Here($"isr64_{v}");
            if (!ErrorCodeVectors.Contains(v))
            {
                a.push(0);
            }

            a.push(v);
            a.jmp(k.L("common64"));
        }

        k.Here("common64");
        PushAll64(a);
        a.mov(rbp, rsp);
        Print64(k, "EXC");
        Field64(k, "vec", x => x.mov(rax, __qword_ptr[rbp + 120]));
        Field64(k, "err", x => x.mov(rax, __qword_ptr[rbp + 128]));
        Field64(k, "cr2", x => x.mov(rax, cr2));
        Print64(k, "\n ");
        Field64(k, "rip", x => x.mov(rax, __qword_ptr[rbp + 136]));
        Field64(k, "cs", x => x.mov(rax, __qword_ptr[rbp + 144]));
        Field64(k, "rfl", x => x.mov(rax, __qword_ptr[rbp + 152]));
        Field64(k, "rsp", x => x.mov(rax, __qword_ptr[rbp + 160]));
        Field64(k, "ss", x => x.mov(rax, __qword_ptr[rbp + 168]));
        Field64(k, "here", x => x.mov(rax, rbp));
        Print64(k, "\n ");
        PrintGprs64(k);
        Print64(k, "\n");
        a.mov(rax, __qword_ptr[(long)Recovery]);
        a.test(rax, rax);
        a.jz(k.L("common64_resume"));
        a.mov(__qword_ptr[rbp + 136], rax);
        a.mov(__qword_ptr[(long)Recovery], 0);
        k.Here("common64_resume");
        PopAll64(a);
        a.add(rsp, 16);
        a.iretq();
    }

    private static void Dump64(KernelBuilder k)
    {
        Assembler a = k.A;
        k.Here("dump64");
        a.pushfq();
        PushAll64(a);
        a.mov(rbp, rsp);
        Print64(k, "STATE64");
        PrintGprs64(k);
        Print64(k, "\n ");
        Field64(k, "rsp", x => x.lea(rax, __[rbp + 136]));
        Field64(k, "rfl", x => x.mov(rax, __qword_ptr[rbp + 120]));
        Field64(k, "cr0", x => x.mov(rax, cr0));
        Field64(k, "cr3", x => x.mov(rax, cr3));
        Print64(k, "\n ");
        Field64(k, "cr4", x => x.mov(rax, cr4));
        a.mov(ecx, 0xC000_0080);
        a.rdmsr();
        a.shl(rdx, 32);
        a.or(rax, rdx);
        Field64(k, "efer", _ => { });
        a.sgdt(__[(long)Scratch]);
        a.sidt(__[(long)Scratch + 16]);
        Field64(k, "gdt", x => x.mov(rax, __qword_ptr[(long)Scratch + 2]));
        Field64(k, "idt", x => x.mov(rax, __qword_ptr[(long)Scratch + 18]));
        Print64(k, "\n ");
        Field64(k, "gdtl", x => x.movzx(eax, __word_ptr[(long)Scratch]));
        Field64(k, "idtl", x => x.movzx(eax, __word_ptr[(long)Scratch + 16]));
        Field64(k, "cs", x => { x.xor(eax, eax); x.mov(ax, cs); });
        Field64(k, "ds", x => { x.xor(eax, eax); x.mov(ax, ds); });
        Print64(k, "\n ");
        Field64(k, "es", x => { x.xor(eax, eax); x.mov(ax, es); });
        Field64(k, "ss", x => { x.xor(eax, eax); x.mov(ax, ss); });
        Field64(k, "tr", x => { x.xor(eax, eax); x.str(ax); });
        Print64(k, "\n");
        PopAll64(a);
        a.popfq();
        a.ret();
    }

    /// <summary>64-bit call-gate and SYSCALL targets, like <see cref="FastEntries32"/>.</summary>
    private static void FastEntries64(KernelBuilder k)
    {
        Assembler a = k.A;
        k.Here("gate64");
        Print64(k, "GATE64");
        Field64(k, "rip", x => x.mov(rax, __qword_ptr[rsp + 8]));
        Field64(k, "cs", x => x.mov(rax, __qword_ptr[rsp + 16]));
        Field64(k, "rsp", x => x.mov(rax, __qword_ptr[rsp + 24]));
        Field64(k, "ss", x => x.mov(rax, __qword_ptr[rsp + 32]));
        Field64(k, "here", x => x.mov(rax, rsp));
        Print64(k, "\n");
        a.call(k.Addr("dump64"));
        a.jmp(k.L("resume64"));

        k.Here("syscall64");
        Print64(k, "SYSCALL\n");
        a.call(k.Addr("dump64"));

        k.Here("resume64");
        a.mov(esp, Stack0Top);
        a.mov(rax, __qword_ptr[(long)Recovery]);
        a.mov(__qword_ptr[(long)Recovery], 0);
        a.jmp(rax);
    }

    private static byte[] GdtBytes(KernelBuilder k)
    {
        byte[] gdt = new byte[GdtLimit + 1];
        void Put(int selector, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(gdt.AsSpan(selector), value);
        Put(Code64Ring0, 0x00AF_9A00_0000_FFFF);
        Put(DataRing0, 0x00CF_9200_0000_FFFF);
        Put(Code32Ring3, 0x00CF_FA00_0000_FFFF);
        Put(DataRing3, 0x00CF_F200_0000_FFFF);
        Put(Code64Ring3, 0x00AF_FA00_0000_FFFF);
        Put(Code32Ring0, 0x00CF_9A00_0000_FFFF);
        Put(Data32Ring0, 0x00CF_9200_0000_FFFF);
        Put(0x40, 0x00CF_FA00_0000_FFFF);
        Put(0x48, 0x00CF_F200_0000_FFFF);
        Put(Tss32Selector, SystemDescriptor(Tss32, 0x67, 0x89));
        Put(Tss64Selector, SystemDescriptor(Tss64, 0x67, 0x89));
        Put(CallGate32, Gate(k.Addr("gate32"), Code32Ring0, 0xEC, 0));
        Put(NotPresentData, 0x00CF_1200_0000_FFFF);
        Put(CallGate64, Gate(k.Addr("gate64"), Code64Ring0, 0xEC, 0));
        return gdt;
    }

    private static ulong SystemDescriptor(ulong baseAddress, uint limit, byte access) =>
        (limit & 0xFFFF) | ((baseAddress & 0xFF_FFFF) << 16) | ((ulong)access << 40) |
        ((ulong)(limit >> 16 & 0xF) << 48) | ((baseAddress >> 24 & 0xFF) << 56);

    private static ulong Gate(ulong offset, ushort selector, byte access, int ist) =>
        (offset & 0xFFFF) | ((ulong)selector << 16) | ((ulong)ist << 32) | ((ulong)access << 40) | ((offset >> 16 & 0xFFFF) << 48);

    private static byte[] IdtBytes(KernelBuilder k, bool is64)
    {
        int size = is64 ? 16 : 8;
        byte[] idt = new byte[256 * size];
        foreach (int v in Vectors)
        {
            byte access = v is 3 or 4 or 0x80 or 0x81 ? (byte)0xEE : (byte)0x8E;
            ulong gate = is64
                ? Gate(k.Addr($"isr64_{v}"), Code64Ring0, access, v is 0x81 or 8 ? 1 : 0)
                : Gate(k.Addr($"isr32_{v}"), Code32Ring0, access, 0);
            BinaryPrimitives.WriteUInt64LittleEndian(idt.AsSpan(v * size), gate);
        }

        return idt;
    }

    private static byte[] TssBytes(bool is64)
    {
        byte[] tss = new byte[0x68];
        Span<byte> s = tss;
        if (is64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(s[4..], Rsp0Top);
            BinaryPrimitives.WriteUInt64LittleEndian(s[0x24..], Ist1Top);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s[4..], Rsp0Top);
            BinaryPrimitives.WriteUInt32LittleEndian(s[8..], Data32Ring0);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(s[0x66..], 0x68);
        return tss;
    }

    private static byte[] Pointer(ushort limit, ulong baseAddress)
    {
        byte[] pointer = new byte[10];
        BinaryPrimitives.WriteUInt16LittleEndian(pointer, limit);
        BinaryPrimitives.WriteUInt64LittleEndian(pointer.AsSpan(2), baseAddress);
        return pointer;
    }

    private static byte[] Table(params (int Index, ulong Entry)[] entries)
    {
        byte[] table = new byte[0x1000];
        foreach ((int index, ulong entry) in entries)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(table.AsSpan(index * 8), entry);
        }

        return table;
    }

    /// <summary>4 KiB identity pages, present, writable, user; the test pages of the second 2 MiB get their special entries.</summary>
    private static byte[] IdentityTable(ulong baseAddress)
    {
        var entries = new (int, ulong)[512];
        for (int i = 0; i < 512; i++)
        {
            ulong page = baseAddress + ((ulong)i << 12);
            ulong entry = page switch
            {
                NotPresentPage => 0,
                ReadOnlyPage => page | 5,
                SupervisorPage => page | 3,
                NoExecutePage => page | 7 | (1UL << 63),
                ReservedBitPage => page | 7 | (1UL << 51),
                _ => page | 7,
            };
            entries[i] = (i, entry);
        }

        return Table(entries);
    }
}
