using Emulator.System.Tests.EndToEnd;
using Emulator.System.Tests.EndToEnd.Guests;
using Iced.Intel;
using static Emulator.System.Tests.EndToEnd.Guests.KernelLayout;
using static Emulator.System.Tests.EndToEnd.Guests.KernelPrint;
using static Emulator.System.Tests.EndToEnd.Guests.TestKernel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.Differential;

/// <summary>
/// Hardware task switches in 32-bit protected mode, compared with QEMU: CALL to a TSS (back link,
/// NT, busy bits, CR0.TS), IRETD back to the caller, then JMP to the task and JMP back. The second
/// task's TSS is the kernel's 64-bit TSS area: outside long mode its descriptor is an available
/// 32-bit TSS. Each side dumps its registers and the TSS fields and busy bits the switch wrote.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TaskSwitchTests
{
    private const byte Done = 0x25;
    private const ushort Task2 = Tss64Selector;

    [Fact(Timeout = Patience.TestMs)]
    public async Task CallIretAndJumpBetweenTasksMatchQemu()
    {
        await Task.Yield();
        byte[] kernel = Build(k =>
        {
            Assembler a = k.A;
            PrepareTask2(a, k.Addr32("task2"), 0x2 | 0x1 | 0x800);
            Print32(k, "call task 2\n");
            a.call(Task2, 0);

            Print32(k, "back in task 1\n");
            a.call(k.Addr("dump32"));
            DumpTssFields(k, Tss64, Tss32);
            a.jmp(Task2, 0);

            Print32(k, "task 1 again\n");
            a.call(k.Addr("dump32"));
            DumpTssFields(k, Tss64, Tss32);
            Exit(k, Done);

            k.Here("task2");
            a.call(k.Addr("dump32"));
            DumpTssFields(k, Tss64, Tss32);
            a.mov(ebx, 0x7777_7777);
            a.iretd();
            Print32(k, "task 2 again\n");
            a.call(k.Addr("dump32"));
            DumpTssFields(k, Tss32, Tss64);
            a.jmp(Tss32Selector, 0);
        });
        string output = KernelDifferential.AssertSameAsQemu(kernel, (Done << 1) | 1);
        Assert.Contains("task 2 again", output, StringComparison.Ordinal);
        Assert.Contains("task 1 again", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task ExceptionThroughATaskGateMatchesQemu()
    {
        await Task.Yield();
        byte[] kernel = Build(k =>
        {
            Assembler a = k.A;
            PrepareTask2(a, k.Addr32("gp_task"), 0x2);

            // #GP becomes a task gate to task 2.
            SetDword(a, Idt32 + (13 * 8), (uint)Task2 << 16);
            SetDword(a, Idt32 + (13 * 8) + 4, 0x8500);
            Print32(k, "fault\n");
            a.mov(ax, (ushort)Tss32Selector);
            a.mov(ds, ax);
            Print32(k, "after the #GP task\n");
            a.call(k.Addr("dump32"));
            DumpTssFields(k, Tss64, Tss32);
            Exit(k, Done);

            k.Here("gp_task");
            a.call(k.Addr("dump32"));
            a.pop(eax);
            a.call(k.Addr("dump32"));
            DumpTssFields(k, Tss64, Tss32);

            // Resume task 1 past the MOV DS that faulted (66 8E D8).
            a.add(__dword_ptr[(uint)Tss32 + 0x20], 3);

            // Flags from POPFD (NT kept set): QEMU's TCG saves stale lazy arithmetic flags into the
            // TSS on an IRET task return right after an ADD or CMP (it saved ZF|AF for CMP EAX,EAX).
            a.push(0x4002 | 0x1);
            a.popfd();
            a.iretd();
            a.jmp(k.L("gp_task"));
        });
        string output = KernelDifferential.AssertSameAsQemu(kernel, (Done << 1) | 1);
        Assert.Contains("after the #GP task", output, StringComparison.Ordinal);
    }

    private static void PrepareTask2(Assembler a, uint eip, uint eflags)
    {
        SetDword(a, Tss64 + 0x1C, 0);
        SetDword(a, Tss64 + 0x20, eip);
        SetDword(a, Tss64 + 0x24, eflags);
        for (uint i = 0; i < 8; i++)
        {
            SetDword(a, Tss64 + 0x28 + (i * 4), i == 4 ? Rsp0Top : 0x1111_0000 + i);
        }

        ushort[] selectors = [Data32Ring0, Code32Ring0, Data32Ring0, Data32Ring0, 0, 0];
        for (uint i = 0; i < 6; i++)
        {
            SetDword(a, Tss64 + 0x48 + (i * 4), selectors[i]);
        }

        SetDword(a, Tss64 + 0x60, 0);
    }

    private static void SetDword(Assembler a, ulong address, uint value) => a.mov(__dword_ptr[(uint)address], value);

    /// <summary>The back link and saved EIP/EFLAGS/EBX of <paramref name="tss"/>, the saved EIP of <paramref name="other"/>, and both busy bytes.</summary>
    private static void DumpTssFields(KernelBuilder k, ulong tss, ulong other)
    {
        Assembler a = k.A;
        a.pushad();
        a.movzx(eax, __word_ptr[(uint)tss]);
        a.mov(ebx, __dword_ptr[(uint)tss + 0x20]);
        a.mov(ecx, __dword_ptr[(uint)tss + 0x24]);
        a.mov(edx, __dword_ptr[(uint)tss + 0x34]);
        a.mov(ebp, __dword_ptr[(uint)other + 0x20]);
        a.movzx(esi, __byte_ptr[(uint)Gdt + Tss32Selector + 5]);
        a.movzx(edi, __byte_ptr[(uint)Gdt + Tss64Selector + 5]);
        a.call(k.Addr("dump32"));
        a.popad();
    }
}
