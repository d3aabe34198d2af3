using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// The host-side glue, called as <c>void(ulong* input, ulong* output, void* snippet)</c> (System V: RDI, RSI, RDX):
/// saves the callee-saved registers, loads every GPR but RSP and the status flags + DF from the input block (the
/// host's TF, IF, AC... stay as they are), calls the snippet (which ends in RET and must leave RSP alone), stores
/// every GPR and RFLAGS to the output block, clears DF as the ABI requires, and returns.
/// </summary>
public static class NativeTrampoline
{
    private static readonly AssemblerRegister64[] Loaded = [rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15];

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

        a.pushfq();
        a.pop(rax);
        a.and(rax, unchecked((int)~RegisterSnapshot.StatusFlags));
        a.mov(rcx, __qword_ptr[rdi + (RegisterSnapshot.RflagsWord * 8)]);
        a.and(rcx, (int)RegisterSnapshot.StatusFlags);
        a.or(rax, rcx);
        a.push(rax);
        a.popfq();

        // MOV leaves the flags alone from here on; RDI is the base of the loads, so it goes last.
        for (int i = 0; i < Loaded.Length; i++)
        {
            if (Loaded[i] != rsp && Loaded[i] != rdi)
            {
                a.mov(Loaded[i], __qword_ptr[rdi + (i * 8)]);
            }
        }

        a.mov(rdi, __qword_ptr[rdi + ((int)GeneralRegister.Rdi * 8)]);
        a.call(__qword_ptr[rsp]);

        // Stack: [rsp] = snippet, [rsp+8] = output. PUSH and MOV keep the flags for the PUSHFQ below.
        a.push(rax);
        a.mov(rax, __qword_ptr[rsp + 16]);
        for (int i = 0; i < Loaded.Length; i++)
        {
            if (Loaded[i] != rsp && Loaded[i] != rax)
            {
                a.mov(__qword_ptr[rax + (i * 8)], Loaded[i]);
            }
        }

        a.pop(rcx);
        a.mov(__qword_ptr[rax], rcx);
        a.pushfq();
        a.pop(rcx);
        a.mov(__qword_ptr[rax + (RegisterSnapshot.RflagsWord * 8)], rcx);
        a.cld();
        a.add(rsp, 16);
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
