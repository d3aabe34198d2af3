using Emulator.System.Tests.EndToEnd;
using Emulator.System.Tests.EndToEnd.Guests;
using Iced.Intel;
using static Emulator.System.Tests.EndToEnd.Guests.KernelLayout;
using static Emulator.System.Tests.EndToEnd.Guests.KernelPrint;
using static Emulator.System.Tests.EndToEnd.Guests.TestKernel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.Differential;

/// <summary>
/// Privilege transitions in 32-bit protected mode: IRETD to ring 3, INT through a DPL 3 gate
/// (stack switch to TSS.ESP0), faults at ring 3, a 32-bit call gate back to ring 0, and
/// SYSEXIT/SYSENTER, compared with QEMU.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ProtectedModeRingTests
{
    private const byte Done = 0x23;

    [Fact(Timeout = Patience.TestMs)]
    public async Task Ring3GatesAndSysenterMatchQemu()
    {
        await Task.Yield();
        byte[] kernel = Build(k =>
        {
            Assembler a = k.A;
            WriteMsr(k, 0x174, Code32Ring0);
            WriteMsr(k, 0x175, SysenterStackTop);
            WriteMsr(k, 0x176, k.Addr32("sysenter32"));
            ToRing3_32(k, "user");

            k.Here("user");
            a.mov(ax, (ushort)(DataRing3 | 3));
            a.mov(ds, ax);
            a.mov(es, ax);
            Print32(k, "ring 3\n");
            a.mov(ebx, 0x1357_9BDF);
            a.@int(0x80);
            a.int3();
            ProtectedModeExceptionTests.Fault(k, "user_hlt", a.hlt);
            ProtectedModeExceptionTests.Fault(k, "user_int_dpl0", () => a.@int(0x0D));
            ProtectedModeExceptionTests.Fault(k, "user_cr0", () => a.mov(eax, cr0));
            Recover32(k, "after_gate");
            a.call((ushort)(CallGate32 | 3), 0);

            k.Here("after_gate");
            Print32(k, "back at ring 0\n");
            a.mov(edx, k.Addr32("user_sysexit"));
            a.mov(ecx, UserStackTop - 0x100);
            a.sysexit();

            k.Here("user_sysexit");
            a.mov(ax, (ushort)(0x48 | 3));
            a.mov(ds, ax);
            Print32(k, "after SYSEXIT\n");
            Recover32(k, "after_sysenter");
            a.mov(esi, 0x2468_ACE0);
            a.sysenter();

            k.Here("after_sysenter");
            Print32(k, "after SYSENTER\n");
            a.call(k.Addr("dump32"));
            Exit(k, Done);
        });
        KernelDifferential.AssertSameAsQemu(kernel, (Done << 1) | 1);
    }

    private static void WriteMsr(KernelBuilder k, uint msr, uint value)
    {
        k.A.mov(ecx, msr);
        k.A.mov(eax, value);
        k.A.xor(edx, edx);
        k.A.wrmsr();
    }
}
