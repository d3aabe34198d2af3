using Emulator.System.Tests.EndToEnd;
using Emulator.System.Tests.EndToEnd.Guests;
using Iced.Intel;
using static Emulator.System.Tests.EndToEnd.Guests.KernelLayout;
using static Emulator.System.Tests.EndToEnd.Guests.KernelPrint;
using static Emulator.System.Tests.EndToEnd.Guests.TestKernel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.Differential;

/// <summary>
/// Long mode: the walk protected -> long -> compatibility -> protected without paging, page
/// faults (error codes, CR2, A/D bits), and ring 3 in 64-bit mode (IRETQ, INT through DPL 3
/// gates with RSP0 and IST, a 64-bit call gate, SYSCALL/SYSRET), each compared with QEMU.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class LongModeTests
{
    private const byte Done = 0x22;

    [Fact(Timeout = Patience.TestMs)]
    public async Task ModeWalkMatchesQemu()
    {
        await Task.Yield();
        byte[] kernel = Build(
            k =>
            {
                Assembler a = k.A;
                a.call(k.Addr("dump32"));
                EnterLongMode(k);

                k.Here("compat");
                a.mov(ax, Data32Ring0);
                a.mov(ds, ax);
                a.mov(ss, ax);
                Print32(k, "compatibility mode\n");
                a.call(k.Addr("dump32"));
                a.mov(eax, cr0);
                a.and(eax, 0x7FFF_FFFF);
                a.mov(cr0, eax);
                a.mov(ecx, 0xC000_0080);
                a.rdmsr();
                a.and(eax, ~0x100);
                a.wrmsr();
                a.mov(eax, cr4);
                a.and(eax, ~0x20);
                a.mov(cr4, eax);
                a.lidt(__[(uint)IdtPointer32]);
                Print32(k, "legacy protected mode\n");
                a.call(k.Addr("dump32"));
                Exit(k, Done);
            },
            k =>
            {
                Assembler a = k.A;
                Print64(k, "long mode\n");
                a.call(k.Addr("dump64"));
                a.push(Code32Ring0);
                a.mov(eax, k.Addr32("compat"));
                a.push(rax);
                a.db(0x48, 0xCB); // RETFQ
            });
        KernelDifferential.AssertSameAsQemu(kernel, (Done << 1) | 1);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task PageFaultsAndAccessedDirtyBitsMatchQemu()
    {
        await Task.Yield();
        byte[] kernel = Build(EnterLongMode, k =>
        {
            Assembler a = k.A;
            Fault64(k, "not_present", () => a.mov(eax, __dword_ptr[NotPresentPage + 0x10]));
            a.mov(__dword_ptr[ReadOnlyPage], 0x1122_3344);
            Field64(k, "ro_written_wp0", x => x.mov(rax, __qword_ptr[ReadOnlyPage]));
            Print64(k, "\n");
            a.mov(rax, cr0);
            a.or(eax, 0x1_0000);
            a.mov(cr0, rax);
            Fault64(k, "read_only", () => a.mov(__dword_ptr[ReadOnlyPage + 8], 0x5566_7788));
            Fault64(k, "nx", () =>
            {
                a.mov(eax, NoExecutePage + 0x20);
                a.jmp(rax);
            });
            // No reserved-bit fault here: QEMU 7.2 reports it without the P bit (error 8, the SDM and we say 9).
            a.mov(eax, __dword_ptr[AccessedDirtyPage + 4]);
            PrintEntries(k, "after read");
            a.mov(__dword_ptr[AccessedDirtyPage + 8], eax);
            PrintEntries(k, "after write");
            a.call(k.Addr("dump64"));
            Exit(k, Done);
        });
        KernelDifferential.AssertSameAsQemu(kernel, (Done << 1) | 1);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task Ring3GatesSyscallAndIretqMatchQemu()
    {
        await Task.Yield();
        byte[] kernel = Build(EnterLongMode, k =>
        {
            Assembler a = k.A;
            WriteMsr(k, 0xC000_0081, 0x0018_0008_0000_0000); // STAR: SYSCALL CS 08h, SYSRET base 18h
            WriteMsr(k, 0xC000_0082, k.Addr("syscall64"));
            WriteMsr(k, 0xC000_0084, 0x4700); // SFMASK: TF, IF, DF, NT
            a.mov(ecx, 0xC000_0080);
            a.rdmsr();
            a.or(eax, 1); // SCE
            a.wrmsr();
            ToRing3_64(k, "user");

            k.Here("user");
            Print64(k, "ring 3");
            UserState(k);
            a.mov(rbx, 0x0123_4567_89AB_CDEFUL);
            a.@int(0x80);
            a.@int(0x81);
            Fault64(k, "user_supervisor_read", () => a.mov(eax, __dword_ptr[SupervisorPage]));
            Fault64(k, "user_read_only_write", () => a.mov(__dword_ptr[ReadOnlyPage], eax));
            Fault64(k, "user_not_present", () => a.mov(eax, __dword_ptr[NotPresentPage]));
            Fault64(k, "user_hlt", a.hlt);
            // No INT to a DPL 0 gate here: QEMU 7.2's 64-bit delivery reports vector * 16 + 2 (D2h for
            // INT 0Dh); the SDM (and we) say vector * 8 + 2 (6Ah), as the 32-bit scenario checks.
            Fault64(k, "user_cr0", () => a.mov(rax, cr0));
            Recover64(k, "after_gate");
            a.mov(__dword_ptr[Scratch + 0x80], 0);
            a.mov(__word_ptr[Scratch + 0x84], (ushort)(CallGate64 | 3));
            a.mov(eax, (uint)Scratch + 0x80);
            a.db(0xFF, 0x18); // CALL FAR [RAX] (m16:32) through the 64-bit call gate

            k.Here("after_gate");
            Print64(k, "back at ring 0\n");
            a.mov(rcx, k.Addr("user_sysret"));
            a.mov(r11, 0x3082);
            a.sysretq();

            k.Here("user_sysret");
            Print64(k, "after SYSRET");
            UserState(k);
            Recover64(k, "after_syscall");
            // DF and IOPL 3 but no arithmetic flags: QEMU 7.2 masks a stale RFLAGS image on SYSCALL
            // (its lazily computed ZF/PF/... come out clear), where the SDM (and we) keep them.
            a.mov(rdx, 0x7777);
            a.push(0x3402);
            a.popfq();
            a.syscall();

            k.Here("after_syscall");
            Print64(k, "after SYSCALL\n");
            a.call(k.Addr("dump64"));
            Exit(k, Done);
        });
        KernelDifferential.AssertSameAsQemu(kernel, (Done << 1) | 1);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task CompatibilityModeRing3AndDoubleFaultMatchQemu()
    {
        await Task.Yield();
        byte[] kernel = Build(
            k =>
            {
                Assembler a = k.A;
                EnterLongMode(k);

                // Ring 3 in compatibility mode (SYSRET without REX.W), back through the 64-bit call gate.
                k.Here("compat_user");
                a.mov(ax, (ushort)(DataRing3 | 3));
                a.mov(ds, ax);
                a.mov(es, ax);
                Print32(k, "compatibility mode ring 3\n");
                a.mov(ebx, 0xCAFE_F00D);
                a.@int(0x80);
                ProtectedModeExceptionTests.Fault(k, "compat_ud", a.ud2);
                a.mov(__dword_ptr[(uint)Recovery], k.Addr32("after_compat"));
                a.mov(__dword_ptr[(uint)Recovery + 4], 0);
                a.call((ushort)(CallGate64 | 3), 0);
            },
            k =>
            {
                Assembler a = k.A;
                WriteMsr(k, 0xC000_0081, 0x0018_0008_0000_0000);
                a.mov(ecx, 0xC000_0080);
                a.rdmsr();
                a.or(eax, 1);
                a.wrmsr();
                a.mov(ecx, k.Addr32("compat_user"));
                a.mov(r11d, 0x3002);
                a.mov(esp, UserStackTop);
                a.sysret();

                k.Here("after_compat");
                Print64(k, "back in 64-bit mode\n");

                // A ring-3 INT whose RSP0 stack is not present: the #PF while delivering it, whose own
                // delivery faults the same way, makes a #DF, delivered on IST1.
                a.mov(__qword_ptr[(long)Tss64 + 4], (int)(NotPresentPage + 0x1000));
                ToRing3_64(k, "user_df");
                k.Here("user_df");
                Recover64(k, "after_df");
                a.mov(rbx, 0x0DF0_0DF0);
                a.@int(0x80);
                k.Here("after_df");
                Print64(k, "after #DF\n");
                a.mov(__qword_ptr[(long)Tss64 + 4], (int)Rsp0Top);
                Recover64(k, "final");
                a.mov(__dword_ptr[Scratch + 0x80], 0);
                a.mov(__word_ptr[Scratch + 0x84], (ushort)(CallGate64 | 3));
                a.mov(eax, (uint)Scratch + 0x80);
                a.db(0xFF, 0x18); // CALL FAR [RAX] back to ring 0: exit from there, not from ring 3

                k.Here("final");
                Exit(k, Done);
            });
        KernelDifferential.AssertSameAsQemu(kernel, (Done << 1) | 1);
    }

    /// <summary>Runs <paramref name="body"/>, which must fault, and resumes after it (64-bit code).</summary>
    private static void Fault64(KernelBuilder k, string name, Action body)
    {
        string after = k.Unique("after_" + name);
        Recover64(k, after);
        body();
        k.Here(after);
    }

    /// <summary>What ring 3 may read of its own state (dump64 reads control registers).</summary>
    private static void UserState(KernelBuilder k)
    {
        Field64(k, "rsp", x => x.lea(rax, __[rsp + 8]));
        Field64(k, "rfl", x =>
        {
            x.pushfq();
            x.pop(rax);
        });
        Field64(k, "rcx", x => x.mov(rax, rcx));
        Field64(k, "r11", x => x.mov(rax, r11));
        Field64(k, "cs", x => { x.xor(eax, eax); x.mov(ax, cs); });
        Field64(k, "ss", x => { x.xor(eax, eax); x.mov(ax, ss); });
        Print64(k, "\n");
    }

    private static void WriteMsr(KernelBuilder k, uint msr, ulong value)
    {
        k.A.mov(ecx, msr);
        k.A.mov(eax, (uint)value);
        k.A.mov(edx, (uint)(value >> 32));
        k.A.wrmsr();
    }

    /// <summary>The paging entries on the way to the test pages, to show which A/D bits the walks set.</summary>
    private static void PrintEntries(KernelBuilder k, string title)
    {
        Print64(k, title);
        Field64(k, "pml4e", x => x.mov(rax, __qword_ptr[(long)Pml4]));
        Field64(k, "pdpte", x => x.mov(rax, __qword_ptr[(long)Pdpt]));
        Field64(k, "pde", x => x.mov(rax, __qword_ptr[(long)Pd + 8]));
        Print64(k, "\n ");
        foreach (uint page in new[] { ReadOnlyPage, NoExecutePage, ReservedBitPage, AccessedDirtyPage })
        {
            Field64(k, $"pte{page:X}", x => x.mov(rax, __qword_ptr[(long)Pt1 + ((page >> 12 & 0x1FF) * 8)]));
        }

        Print64(k, "\n");
    }
}
