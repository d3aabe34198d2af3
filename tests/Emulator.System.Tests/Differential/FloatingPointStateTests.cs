using Emulator.System.Tests.EndToEnd;
using Emulator.System.Tests.EndToEnd.Guests;
using Iced.Intel;
using static Emulator.System.Tests.EndToEnd.Guests.KernelPrint;
using static Emulator.System.Tests.EndToEnd.Guests.TestKernel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.Differential;

/// <summary>
/// x87 and SSE state: a known state (constants on the x87 stack, arithmetic results, MXCSR,
/// patterned XMM registers) saved with FXSAVE64 in long mode; the 464 defined bytes printed, as QEMU has them.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class FloatingPointStateTests
{
    private const byte Done = 0x25;
    private const uint SaveArea = 0x20_6000;
    private const uint Patterns = 0x20_7000;

    [Fact(Timeout = Patience.TestMs)]
    public async Task FxsaveImageMatchesQemu()
    {
        await Task.Yield();
        byte[] kernel = Build(EnterLongMode, k =>
        {
            Assembler a = k.A;
            a.mov(rax, cr0);
            a.and(eax, ~0x0C); // EM and TS clear
            a.or(eax, 0x22); // MP, NE
            a.mov(cr0, rax);
            a.mov(rax, cr4);
            a.or(eax, 0x600); // OSFXSR, OSXMMEXCPT
            a.mov(cr4, rax);

            // 16 patterned XMM registers from memory: byte i of register r is r * 16 + i.
            a.mov(edi, Patterns);
            a.xor(ecx, ecx);
            k.Here("fill");
            a.mov(__byte_ptr[rdi + rcx], cl);
            a.inc(ecx);
            a.cmp(ecx, 256);
            a.jb(k.L("fill"));
            AssemblerRegisterXMM[] xmms = [xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7, xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15];
            for (int i = 0; i < xmms.Length; i++)
            {
                a.movdqu(xmms[i], __xmmword_ptr[rdi + (i * 16)]);
            }

            a.addps(xmm1, xmm2);
            a.mov(__dword_ptr[Patterns + 0x100], 0x1F80 | 0x6000); // round toward zero
            a.ldmxcsr(__dword_ptr[Patterns + 0x100]);

            a.fninit();
            a.fld1();
            a.fldpi();
            a.fldl2e();
            a.faddp(st1, st0);
            a.mov(__dword_ptr[Patterns + 0x110], 3);
            a.fild(__dword_ptr[Patterns + 0x110]);
            a.fdivp(st1, st0);
            a.fldz();
            a.fldlg2();
            a.fxsave64(__[(long)SaveArea]);

            // Known differences, blanked: QEMU 7.2 records no last-instruction FOP/FIP/FDP (zeros;
            // we keep them as the SDM says), and our MXCSR_MASK has AMD's MM bit 17 (2FFFFh, QEMU FFFFh).
            a.mov(__word_ptr[SaveArea + 6], 0);
            a.mov(__qword_ptr[SaveArea + 8], 0);
            a.mov(__qword_ptr[SaveArea + 16], 0);
            a.mov(__dword_ptr[SaveArea + 28], 0);

            a.mov(esi, SaveArea);
            a.xor(ecx, ecx);
            k.Here("print");
            a.test(ecx, 3);
            a.jnz(k.L("same_line"));
            Print64(k, "\n");
            Field64(k, "at", x => x.mov(eax, ecx));
            k.Here("same_line");
            Field64(k, "q", x => x.mov(rax, __qword_ptr[rsi + (rcx * 8)]));
            a.inc(ecx);
            a.cmp(ecx, 464 / 8);
            a.jb(k.L("print"));
            Print64(k, "\n");
            Exit(k, Done);
        });
        KernelDifferential.AssertSameAsQemu(kernel, (Done << 1) | 1);
    }
}
