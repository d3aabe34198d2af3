using Emulator.System.Tests.EndToEnd;
using Emulator.System.Tests.EndToEnd.Guests;
using Iced.Intel;
using static Emulator.System.Tests.EndToEnd.Guests.KernelPrint;
using static Emulator.System.Tests.EndToEnd.Guests.TestKernel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.Differential;

/// <summary>
/// 66h near branches in 64-bit mode, which the CPU decodes AMD-style (its CPUID says AuthenticAMD, as QEMU's qemu64):
/// a 16-bit operand size, so a 16-bit displacement, a 2-byte return address pushed and popped (zero-extended), and
/// the new IP truncated to 16 bits. A long-mode kernel runs CALL rel16, RET imm16 and JMP rel8 from code it writes
/// below 64 KiB, compared with QEMU. Only there: QEMU 7.2 does not truncate the IP in 64-bit mode (gen_jmp_rel: "In
/// 64-bit mode, operand size is fixed at 64 bits") and ignores 66h on FF /2 and FF /4 (<c>ot = MO_64</c>), where
/// AMD hardware (this host, checked natively) truncates; Emulator.Cpu.Tests/Execution/NearBranch16Tests pins those.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class NearBranch16Tests
{
    private const byte Done = 0x23;
    private const uint Low = 0x4000;

    [Fact(Timeout = Patience.TestMs)]
    public async Task OperandSizePrefixedNearBranchesMatchQemu()
    {
        await Task.Yield();
        byte[] kernel = Build(EnterLongMode, k =>
        {
            Assembler a = k.A;

            // Low: CALL rel16 to Low+100h (pushing the word Low+4), which returns with RET imm16 to a JMP rel8 to Low+17h.
            Poke(k, Low, [0x66, 0xE8, 0xFC, 0x00, 0x66, 0xEB, 0x10]);
            Poke(k, Low + 0x100, [0x48, 0x89, 0xE3, 0x0F, 0xB7, 0x0C, 0x24, 0x66, 0xC2, 0x04, 0x00]);
            Poke(k, Low + 0x17, [0x48, 0x89, 0xE2, .. JumpTo(k.Addr("back"))]);
            a.mov(r15, rsp);
            a.mov(rbx, -1);
            a.mov(rcx, -1);
            a.mov(rdx, -1);
            a.mov(eax, Low);
            a.jmp(rax);
            k.Here("back");
            a.mov(rsp, r15);
            Field64(k, "callee_rsp", x => { x.mov(rax, r15); x.sub(rax, rbx); });
            Field64(k, "pushed", x => x.mov(rax, rcx));
            Field64(k, "returned_rsp", x => { x.mov(rax, rdx); x.sub(rax, r15); });
            Print64(k, "\n");
            Exit(k, Done);
        });
        string output = KernelDifferential.AssertSameAsQemu(kernel, (Done << 1) | 1);
        Assert.Contains(" callee_rsp=0000000000000002 pushed=0000000000004004 returned_rsp=0000000000000004", output, StringComparison.Ordinal);
    }

    /// <summary>Stores <paramref name="bytes"/> at <paramref name="address"/> (below 4 GiB) a dword at a time.</summary>
    private static void Poke(KernelBuilder k, ulong address, byte[] bytes)
    {
        byte[] padded = new byte[(bytes.Length + 3) & ~3];
        bytes.CopyTo(padded, 0);
        k.A.mov(edi, checked((uint)address));
        for (int i = 0; i < padded.Length; i += 4)
        {
            k.A.mov(__dword_ptr[rdi + i], BitConverter.ToInt32(padded, i));
        }
    }

    /// <summary>MOV RAX, imm64; JMP RAX.</summary>
    private static byte[] JumpTo(ulong target) => [0x48, 0xB8, .. BitConverter.GetBytes(target), 0xFF, 0xE0];
}
