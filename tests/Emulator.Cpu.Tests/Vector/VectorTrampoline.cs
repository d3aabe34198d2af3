using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Vector;

/// <summary>
/// Host glue called as <c>void(ulong* input, ulong* output, void* snippet)</c>: saves callee-saved GPRs and the
/// host MXCSR, loads XMM0-15, MM0-7, MXCSR and every GPR but RSP from a <see cref="VectorState"/> block, calls the
/// snippet, stores the same set plus RFLAGS, then restores MXCSR and the x87 default state (FNINIT) and returns.
/// </summary>
public static class VectorTrampoline
{
    private static readonly AssemblerRegister64[] Gprs = [rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15];
    private static readonly AssemblerRegisterXMM[] Xmms = [xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7, xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15];
    private static readonly AssemblerRegisterMM[] Mms = [mm0, mm1, mm2, mm3, mm4, mm5, mm6, mm7];

    public static byte[] Build()
    {
        var a = new Assembler(64);
        a.push(rbx);
        a.push(rbp);
        a.push(r12);
        a.push(r13);
        a.push(r14);
        a.push(r15);
        a.push(rsi);
        a.push(rdx);
        a.sub(rsp, 8);
        a.stmxcsr(__dword_ptr[rsp]);

        // Stack: [rsp] = host MXCSR, [rsp+8] = snippet, [rsp+16] = output. FNINIT gives FXSAVE a known x87 state.
        a.fninit();
        for (int i = 0; i < Xmms.Length; i++)
        {
            a.movdqu(Xmms[i], __xmmword_ptr[rdi + ((VectorState.XmmWord + (2 * i)) * 8)]);
        }

        for (int i = 0; i < Mms.Length; i++)
        {
            a.movq(Mms[i], __qword_ptr[rdi + ((VectorState.MmxWord + i) * 8)]);
        }

        a.ldmxcsr(__dword_ptr[rdi + (VectorState.MxcsrWord * 8)]);
        for (int i = 0; i < Gprs.Length; i++)
        {
            if (Gprs[i] != rsp && Gprs[i] != rdi)
            {
                a.mov(Gprs[i], __qword_ptr[rdi + ((VectorState.GprWord + i) * 8)]);
            }
        }

        a.mov(rdi, __qword_ptr[rdi + ((VectorState.GprWord + 7) * 8)]);
        a.call(__qword_ptr[rsp + 8]);

        a.pushfq();
        a.push(rax);
        a.mov(rax, __qword_ptr[rsp + 32]);
        for (int i = 0; i < Gprs.Length; i++)
        {
            if (Gprs[i] != rsp && Gprs[i] != rax)
            {
                a.mov(__qword_ptr[rax + ((VectorState.GprWord + i) * 8)], Gprs[i]);
            }
        }

        a.pop(rcx);
        a.mov(__qword_ptr[rax + (VectorState.GprWord * 8)], rcx);
        a.pop(rcx);
        a.mov(__qword_ptr[rax + (VectorState.RflagsWord * 8)], rcx);
        for (int i = 0; i < Xmms.Length; i++)
        {
            a.movdqu(__xmmword_ptr[rax + ((VectorState.XmmWord + (2 * i)) * 8)], Xmms[i]);
        }

        for (int i = 0; i < Mms.Length; i++)
        {
            a.movq(__qword_ptr[rax + ((VectorState.MmxWord + i) * 8)], Mms[i]);
        }

        a.mov(__qword_ptr[rax + (VectorState.MxcsrWord * 8)], 0);
        a.stmxcsr(__dword_ptr[rax + (VectorState.MxcsrWord * 8)]);
        a.ldmxcsr(__dword_ptr[rsp]);
        a.fninit();
        a.cld();
        a.add(rsp, 24);
        a.pop(r15);
        a.pop(r14);
        a.pop(r13);
        a.pop(r12);
        a.pop(rbp);
        a.pop(rbx);
        a.ret();

        using var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), 0);
        return stream.ToArray();
    }
}
