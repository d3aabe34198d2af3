using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Cases for the string instructions (MOVS, STOS, LODS, CMPS, SCAS of every size), with or without REP/REPE/REPNE,
/// either direction, and a DS/ES/SS/CS source override (all zero-based in 64-bit mode; FS/GS and the 67h prefix
/// would need a buffer below 4 GiB natively and are covered by unit tests). Each snippet points rSI/rDI into the
/// scratch buffer, sets a small count, runs the instruction, and turns rSI/rDI back into offsets from the buffer
/// without touching flags (<c>not r15; lea rsi,[rsi+r15+1]</c>), so native and interpreted runs compare equal. It ends
/// with CLD, which the host ABI requires.
/// </summary>
public sealed class StringCaseGenerator(int seed)
{
    /// <summary>Elements at most: 16 of 8 bytes stay inside the buffer from any start the generator picks.</summary>
    private const int MaxCount = 16;

    public static readonly IReadOnlyList<Code> Forms =
    [
        Code.Movsb_m8_m8, Code.Movsw_m16_m16, Code.Movsd_m32_m32, Code.Movsq_m64_m64,
        Code.Stosb_m8_AL, Code.Stosw_m16_AX, Code.Stosd_m32_EAX, Code.Stosq_m64_RAX,
        Code.Lodsb_AL_m8, Code.Lodsw_AX_m16, Code.Lodsd_EAX_m32, Code.Lodsq_RAX_m64,
        Code.Cmpsb_m8_m8, Code.Cmpsw_m16_m16, Code.Cmpsd_m32_m32, Code.Cmpsq_m64_m64,
        Code.Scasb_AL_m8, Code.Scasw_AX_m16, Code.Scasd_EAX_m32, Code.Scasq_RAX_m64,
    ];

    private static readonly Register[] SourceSegments = [Register.None, Register.DS, Register.ES, Register.SS, Register.CS];

    private readonly Random _random = new(seed);

    public DifferentialCase Next(Code code)
    {
        Mnemonic mnemonic = code.Mnemonic();
        int size = code.ToOpCode().OperandSize switch { 16 => 2, 32 => 4, 64 => 8, _ => 1 };
        bool compares = mnemonic is Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd or Mnemonic.Cmpsq
            or Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd or Mnemonic.Scasq;

        var input = new RegisterSnapshot();
        for (int i = 0; i < GprFile.Count; i++)
        {
            input.Gpr[i] = (ulong)_random.NextInt64() ^ ((ulong)_random.Next(2) << 63);
        }

        input[GeneralRegister.Rsp] = 0;
        input[DifferentialCase.MemoryBase] = 0;
        input.Rflags = ((ulong)_random.NextInt64() & RegisterSnapshot.StatusFlags) | RflagsBits.Fixed1;
        byte[] memory = new byte[DifferentialCase.MemorySize];
        _random.NextBytes(memory);

        bool backward = _random.Next(2) == 0;
        int count = _random.Next(MaxCount + 1);
        int source = _random.Next(128, 376);
        int destination = _random.Next(128, 376);
        RepPrefixKind repeat = (RepPrefixKind)_random.Next(3);
        if (compares && count > 0)
        {
            MakeMostlyEqual(memory, code, size, source, destination, backward, count, input);
        }

        var instructions = new List<Instruction>
        {
            Instruction.Create(backward ? Code.Std : Code.Cld),
            Instruction.Create(Code.Lea_r64_m, Register.RSI, new MemoryOperand(Register.R15, source)),
            Instruction.Create(Code.Lea_r64_m, Register.RDI, new MemoryOperand(Register.R15, destination)),
            Instruction.Create(Code.Mov_r32_imm32, Register.ECX, (uint)count),
            Build(code, repeat, SourceSegments[_random.Next(SourceSegments.Length)]),
            Instruction.Create(Code.Not_rm64, Register.R15),
            Instruction.Create(Code.Lea_r64_m, Register.RSI, new MemoryOperand(Register.RSI, Register.R15, 1, 1, 1)),
            Instruction.Create(Code.Lea_r64_m, Register.RDI, new MemoryOperand(Register.RDI, Register.R15, 1, 1, 1)),
            Instruction.Create(Code.Not_rm64, Register.R15),
            Instruction.Create(Code.Cld),
        };

        using var stream = new MemoryStream();
        var encoder = Encoder.Create(64, new StreamCodeWriter(stream));
        foreach (Instruction instruction in instructions)
        {
            if (!encoder.TryEncode(instruction, 0, out _, out string? error))
            {
                throw new InvalidOperationException($"cannot encode {instruction}: {error}");
            }
        }

        return new DifferentialCase(code.ToString(), instructions[4].ToString() + $" (rcx={count}, df={(backward ? 1 : 0)})", stream.ToArray(), input, memory, FlagDefinitions.All, 0);
    }

    private static Instruction Build(Code code, RepPrefixKind repeat, Register segment)
    {
        const int A = 64;
        return code switch
        {
            Code.Movsb_m8_m8 => Instruction.CreateMovsb(A, segment, repeat),
            Code.Movsw_m16_m16 => Instruction.CreateMovsw(A, segment, repeat),
            Code.Movsd_m32_m32 => Instruction.CreateMovsd(A, segment, repeat),
            Code.Movsq_m64_m64 => Instruction.CreateMovsq(A, segment, repeat),
            Code.Stosb_m8_AL => Instruction.CreateStosb(A, repeat),
            Code.Stosw_m16_AX => Instruction.CreateStosw(A, repeat),
            Code.Stosd_m32_EAX => Instruction.CreateStosd(A, repeat),
            Code.Stosq_m64_RAX => Instruction.CreateStosq(A, repeat),
            Code.Lodsb_AL_m8 => Instruction.CreateLodsb(A, segment, repeat),
            Code.Lodsw_AX_m16 => Instruction.CreateLodsw(A, segment, repeat),
            Code.Lodsd_EAX_m32 => Instruction.CreateLodsd(A, segment, repeat),
            Code.Lodsq_RAX_m64 => Instruction.CreateLodsq(A, segment, repeat),
            Code.Cmpsb_m8_m8 => Instruction.CreateCmpsb(A, segment, repeat),
            Code.Cmpsw_m16_m16 => Instruction.CreateCmpsw(A, segment, repeat),
            Code.Cmpsd_m32_m32 => Instruction.CreateCmpsd(A, segment, repeat),
            Code.Cmpsq_m64_m64 => Instruction.CreateCmpsq(A, segment, repeat),
            Code.Scasb_AL_m8 => Instruction.CreateScasb(A, repeat),
            Code.Scasw_AX_m16 => Instruction.CreateScasw(A, repeat),
            Code.Scasd_EAX_m32 => Instruction.CreateScasd(A, repeat),
            Code.Scasq_RAX_m64 => Instruction.CreateScasq(A, repeat),
            _ => throw new ArgumentOutOfRangeException(nameof(code), code, "not a string form"),
        };
    }

    /// <summary>
    /// Random data almost never compares equal: make a random-length run of elements equal (CMPS: destination copies
    /// the source; SCAS: elements equal the accumulator) so REPE and REPNE stop part-way.
    /// </summary>
    private void MakeMostlyEqual(byte[] memory, Code code, int size, int source, int destination, bool backward, int count, RegisterSnapshot input)
    {
        bool scan = code.Mnemonic() is Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd or Mnemonic.Scasq;
        int equal = _random.Next(count + 1);
        ulong accumulator = input[GeneralRegister.Rax];
        for (int i = 0; i < count; i++)
        {
            int step = backward ? -i * size : i * size;
            bool same = _random.Next(4) == 0 ? i != equal : i < equal;
            if (!same)
            {
                continue;
            }

            for (int b = 0; b < size; b++)
            {
                memory[destination + step + b] = scan ? (byte)(accumulator >> (8 * b)) : memory[source + step + b];
            }
        }
    }
}
