using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Cases for the forms that use the stack, branch, or address memory absolutely: PUSH/POP (every form, 16- and 64-bit,
/// RSP-based addresses included), PUSHF/POPF, ENTER (nesting 0-3, 31, 32 and random), LEAVE, near CALL/RET/JMP (relative,
/// through a register and through memory), Jcc, LOOPcc and JrCXZ in both address sizes, XLAT, MOV with a moffs operand,
/// CMPXCHG8B/16B and CLFLUSH. Each snippet saves the caller's RSP in XMM15, points RSP (and RBP where a frame is used)
/// into the scratch buffer, runs the instruction, stores the final RSP in the buffer's first qword and restores RSP.
/// Addresses are absolute, so the cases are for an <see cref="InterpreterRunner"/> that mirrors the native runner's
/// addresses (the generator takes the host scratch address for moffs operands).
/// </summary>
public sealed class StackCaseGenerator(int seed, ulong scratchAddress)
{
    /// <summary>Offset of the qword that receives the final RSP.</summary>
    public const int RspSlot = 0;

    private static readonly Register[] Gpr64 =
        [Register.RAX, Register.RCX, Register.RDX, Register.RBX, Register.RSP, Register.RBP, Register.RSI, Register.RDI,
         Register.R8, Register.R9, Register.R10, Register.R11, Register.R12, Register.R13, Register.R14, Register.R15];

    private static readonly int[] NestingLevels = [0, 1, 2, 3, 31, 32];

    public static readonly IReadOnlyList<Code> Forms =
    [
        Code.Push_r16, Code.Push_r64, Code.Pop_r16, Code.Pop_r64, Code.Push_rm16, Code.Push_rm64, Code.Pop_rm16, Code.Pop_rm64,
        Code.Push_imm16, Code.Pushq_imm32, Code.Pushw_imm8, Code.Pushq_imm8,
        Code.Pushfw, Code.Pushfq, Code.Popfw, Code.Popfq,
        Code.Enterw_imm16_imm8, Code.Enterq_imm16_imm8, Code.Leavew, Code.Leaveq,
        Code.Call_rel32_64, Code.Call_rm64, Code.Retnq, Code.Retnq_imm16, Code.Jmp_rel8_64, Code.Jmp_rel32_64, Code.Jmp_rm64,
        .. Enum.GetValues<Code>().Where(code => code.ToOpCode() is { Encoding: EncodingKind.Legacy, Mode64: true, OperandSize: not 16 }
            && code.FlowControl() == FlowControl.ConditionalBranch && code.ToOpCode().IsInstruction),
        Code.Xlat_m8,
        Code.Mov_AL_moffs8, Code.Mov_AX_moffs16, Code.Mov_EAX_moffs32, Code.Mov_RAX_moffs64,
        Code.Mov_moffs8_AL, Code.Mov_moffs16_AX, Code.Mov_moffs32_EAX, Code.Mov_moffs64_RAX,
        Code.Cmpxchg8b_m64, Code.Cmpxchg16b_m128, Code.Clflush_m8,
    ];

    private readonly OperandValues _values = new(seed);

    private Random Random => _values.Random;

    public DifferentialCase Next(Code code)
    {
        var input = new RegisterSnapshot();
        for (int i = 0; i < GprFile.Count; i++)
        {
            input.Gpr[i] = _values.Next(64);
        }

        input[GeneralRegister.Rsp] = 0;
        input[DifferentialCase.MemoryBase] = 0;
        input.Rflags = (_values.NextRaw() & RegisterSnapshot.StatusFlags) | RflagsBits.Fixed1;
        byte[] memory = new byte[DifferentialCase.MemorySize];
        Random.NextBytes(memory);

        // The stack top: ENTER 31 pushes 264 bytes below it and reads 248 below RBP, all above the RSP slot.
        int stack = Random.Next(336, DifferentialCase.MemorySize - 8) & ~(Random.Next(4) == 0 ? 0 : 7);
        var a = new Assembler(64);
        a.movq(xmm15, rsp);
        a.lea(rsp, __[r15 + stack]);
        ulong defined = FlagDefinitions.All;
        Body(a, code, memory, input, stack);
        a.mov(__qword_ptr[r15 + RspSlot], rsp);
        a.movq(rsp, xmm15);

        using var stream = new MemoryStream();
        AssemblerResult result = a.Assemble(new StreamCodeWriter(stream), 0, BlockEncoderOptions.DontFixBranches);
        _ = result;
        byte[] bytes = stream.ToArray();
        return new DifferentialCase(code.ToString(), Disassemble(bytes), bytes, input, memory, defined, 0);
    }

    /// <summary>The forms each snippet holds, decoded back (so a test can check the generator emits what it claims).</summary>
    public static IEnumerable<Code> Decoded(byte[] bytes)
    {
        var decoder = Decoder.Create(64, bytes);
        while (decoder.IP < (ulong)bytes.Length)
        {
            yield return decoder.Decode().Code;
        }
    }

    private static string Disassemble(byte[] bytes)
    {
        var decoder = Decoder.Create(64, bytes);
        var parts = new List<string>();
        while (decoder.IP < (ulong)bytes.Length)
        {
            parts.Add(decoder.Decode().ToString());
        }

        return string.Join("; ", parts);
    }

    private void Body(Assembler a, Code code, byte[] memory, RegisterSnapshot input, int stack)
    {
        Mnemonic mnemonic = code.Mnemonic();
        switch (code)
        {
            case Code.Push_r16 or Code.Push_r64 or Code.Push_rm16 or Code.Push_rm64:
                a.AddInstruction(PushPopOperand(code, stack, pop: false));
                break;
            case Code.Pop_r16 or Code.Pop_r64 or Code.Pop_rm16 or Code.Pop_rm64:
                a.AddInstruction(PushPopOperand(code, stack, pop: true));
                break;
            case Code.Push_imm16 or Code.Pushw_imm8:
                a.AddInstruction(Instruction.Create(code, code == Code.Pushw_imm8 ? (int)(sbyte)_values.Interesting(8) : (int)_values.Interesting(16)));
                break;
            case Code.Pushq_imm32 or Code.Pushq_imm8:
                a.AddInstruction(Instruction.Create(code, code == Code.Pushq_imm8 ? (sbyte)_values.Interesting(8) : (int)_values.Interesting(32)));
                break;
            case Code.Pushfw or Code.Pushfq:
                a.AddInstruction(Instruction.Create(code));
                break;
            case Code.Popfw or Code.Popfq:
                // Only what a user process may change and the interpreter (at CPL 0) must then agree on: the status
                // flags and DF, with IF set as it is natively (TF would trap, AC would fault unaligned accesses).
                ulong image = (_values.NextRaw() & RegisterSnapshot.StatusFlags) | RflagsBits.Fixed1 | RflagsBits.IF;
                OperandAccess.Write(SnippetOperand.Scratch(stack), code == Code.Popfw ? 16 : 64, image, input, memory);
                a.AddInstruction(Instruction.Create(code));
                break;
            case Code.Enterw_imm16_imm8 or Code.Enterq_imm16_imm8:
                a.lea(rbp, __[r15 + Random.Next(256, stack + 1)]);
                int level = Random.Next(3) == 0 ? Random.Next(64) : NestingLevels[Random.Next(NestingLevels.Length)];
                int size = Random.Next(4) switch { 0 => 0, 1 => Random.Next(1, 32), 2 => Random.Next(4096), _ => Random.Next(512) };
                a.AddInstruction(Instruction.Create(code, (uint)size, (uint)level));
                break;
            case Code.Leavew or Code.Leaveq:
                a.lea(rbp, __[r15 + Random.Next(64, DifferentialCase.MemorySize - 8)]);
                a.AddInstruction(Instruction.Create(code));
                break;
            case Code.Call_rel32_64 or Code.Call_rm64 or Code.Retnq or Code.Retnq_imm16:
                CallAndReturn(a, code);
                break;
            case Code.Jmp_rel8_64 or Code.Jmp_rel32_64 or Code.Jmp_rm64:
                Jump(a, code);
                break;
            case Code.Xlat_m8:
                a.lea(rbx, __[r15 + Random.Next(64, 257)]);
                a.xlatb();
                break;
            case Code.Cmpxchg8b_m64 or Code.Cmpxchg16b_m128:
                CompareExchange(a, code, memory, input);
                break;
            case Code.Clflush_m8:
                a.clflush(__byte_ptr[r15 + Random.Next(64, DifferentialCase.MemorySize)]);
                break;
            default:
                if (mnemonic == Mnemonic.Mov)
                {
                    Moffs(a, code);
                }
                else
                {
                    Branch(a, code);
                }

                break;
        }
    }

    private Instruction PushPopOperand(Code code, int stack, bool pop)
    {
        int bits = code is Code.Push_r16 or Code.Pop_r16 or Code.Push_rm16 or Code.Pop_rm16 ? 16 : 64;
        bool rm = code is Code.Push_rm16 or Code.Push_rm64 or Code.Pop_rm16 or Code.Pop_rm64;
        if (rm && Random.Next(3) != 0)
        {
            // Memory: the buffer through R15, or through RSP, which POP computes after incrementing it.
            bool viaRsp = Random.Next(2) == 0;
            int displacement = viaRsp ? Random.Next(-64, DifferentialCase.MemorySize - 8 - stack - 8) : Random.Next(64, DifferentialCase.MemorySize - 8);
            var operand = new MemoryOperand(viaRsp ? Register.RSP : Register.R15, displacement);
            return Instruction.Create(code, operand);
        }

        while (true)
        {
            Register full = Gpr64[Random.Next(Gpr64.Length)];

            // POP into R15 would lose the buffer base the epilogue writes through.
            if (pop && full == Register.R15)
            {
                continue;
            }

            Register register = bits == 16 ? Register.AX + (full - Register.RAX) : full;
            return Instruction.Create(code, register);
        }
    }

    private void CallAndReturn(Assembler a, Code code)
    {
        Label target = a.CreateLabel();
        Label done = a.CreateLabel();
        switch (code)
        {
            case Code.Call_rm64 when Random.Next(2) == 0:
                a.lea(rax, __[target]);
                a.mov(__qword_ptr[r15 + 64], rax);
                a.call(__qword_ptr[r15 + 64]);
                break;
            case Code.Call_rm64:
                AssemblerRegister64 via = new[] { rax, rcx, rbx, rsi, r8, r13 }[Random.Next(6)];
                a.lea(via, __[target]);
                a.call(via);
                break;
            default:
                a.AddInstruction(Instruction.CreateBranch(Code.Call_rel32_64, target.Id));
                break;
        }

        a.AddInstruction(Instruction.CreateBranch(Code.Jmp_rel32_64, done.Id));
        a.Label(ref target);
        a.not(rdx);
        if (code == Code.Retnq_imm16 || (code != Code.Retnq && Random.Next(4) == 0))
        {
            a.ret((ushort)(Random.Next(4) == 0 ? Random.Next(1, 9) : Random.Next(0, 17) * 8));
        }
        else
        {
            a.ret();
        }

        a.Label(ref done);
    }

    private void Jump(Assembler a, Code code)
    {
        Label skip = a.CreateLabel();
        switch (code)
        {
            case Code.Jmp_rm64 when Random.Next(2) == 0:
                a.lea(rcx, __[skip]);
                a.mov(__qword_ptr[r15 + 72], rcx);
                a.jmp(__qword_ptr[r15 + 72]);
                break;
            case Code.Jmp_rm64:
                a.lea(rsi, __[skip]);
                a.jmp(rsi);
                break;
            default:
                a.AddInstruction(Instruction.CreateBranch(code, skip.Id));
                break;
        }

        a.not(rax);
        a.Label(ref skip);
    }

    /// <summary>A forward conditional branch over a NOT, which shows whether it was taken (the count register too, for LOOPcc).</summary>
    private void Branch(Assembler a, Code code)
    {
        Label skip = a.CreateLabel();
        a.AddInstruction(Instruction.CreateBranch(code, skip.Id));
        a.not(rax);
        a.Label(ref skip);
    }

    private void Moffs(Assembler a, Code code)
    {
        int size = code.ToOpCode().OperandSize switch { 16 => 2, 32 => 4, 64 => 8, _ => 1 };
        ulong address = scratchAddress + (ulong)Random.Next(64, DifferentialCase.MemorySize - size);
        var operand = new MemoryOperand(Register.None, Register.None, 1, (long)address, 8);
        Register accumulator = size switch { 1 => Register.AL, 2 => Register.AX, 4 => Register.EAX, _ => Register.RAX };
        a.AddInstruction(code.ToOpCode().Op0Kind == OpCodeOperandKind.mem_offs
            ? Instruction.Create(code, operand, accumulator)
            : Instruction.Create(code, accumulator, operand));
    }

    private void CompareExchange(Assembler a, Code code, byte[] memory, RegisterSnapshot input)
    {
        bool wide = code == Code.Cmpxchg16b_m128;
        int size = wide ? 16 : 8;

        // CMPXCHG16B needs a 16-byte-aligned operand (#GP otherwise); a locked split access could trap natively.
        int displacement = Random.Next(64 / size, DifferentialCase.MemorySize / size) * size;
        if (Random.Next(2) == 0)
        {
            int half = size / 2;
            int bits = half * 8;
            OperandAccess.Write(SnippetOperand.Reg(wide ? Register.RAX : Register.EAX), bits, OperandAccess.Read(SnippetOperand.Scratch(displacement), bits, input, memory), input, memory);
            if (displacement + half + 8 <= DifferentialCase.MemorySize)
            {
                OperandAccess.Write(SnippetOperand.Reg(wide ? Register.RDX : Register.EDX), bits, OperandAccess.Read(SnippetOperand.Scratch(displacement + half), bits, input, memory), input, memory);
            }
        }

        var instruction = Instruction.Create(code, new MemoryOperand(Register.R15, displacement));
        instruction.HasLockPrefix = Random.Next(2) == 0;
        a.AddInstruction(instruction);
    }
}
