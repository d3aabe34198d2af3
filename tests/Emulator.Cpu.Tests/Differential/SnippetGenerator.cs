using System.Collections.Frozen;
using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Builds single-instruction cases for one <see cref="Code"/>: operands drawn from the GPRs (never RSP or the memory
/// base R15; AH..BH only in REX-free encodings), the scratch buffer at [R15+disp], or immediates; operand values from
/// <see cref="OperandValues"/>; the other GPRs, memory and status flags random. Inputs that would fault natively
/// are steered away (#DE, bit strings leaving the buffer). Deterministic for a seed.
/// </summary>
public sealed class SnippetGenerator(int seed)
{
    private const int MinDisplacement = 64;
    private const int MaxDisplacement = DifferentialCase.MemorySize - 72;

    private static readonly Register[] Gpr64 =
        [Register.RAX, Register.RCX, Register.RDX, Register.RBX, Register.RBP, Register.RSI, Register.RDI,
         Register.R8, Register.R9, Register.R10, Register.R11, Register.R12, Register.R13, Register.R14];

    private static readonly Register[] Rex8 =
        [Register.AL, Register.CL, Register.DL, Register.BL, Register.BPL, Register.SIL, Register.DIL,
         Register.R8L, Register.R9L, Register.R10L, Register.R11L, Register.R12L, Register.R13L, Register.R14L];

    private static readonly Register[] Legacy8 =
        [Register.AL, Register.CL, Register.DL, Register.BL, Register.AH, Register.CH, Register.DH, Register.BH];

    private static readonly FrozenSet<Mnemonic> Lockable = new[]
    {
        Mnemonic.Add, Mnemonic.Adc, Mnemonic.And, Mnemonic.Btc, Mnemonic.Btr, Mnemonic.Bts, Mnemonic.Cmpxchg, Mnemonic.Dec,
        Mnemonic.Inc, Mnemonic.Neg, Mnemonic.Not, Mnemonic.Or, Mnemonic.Sbb, Mnemonic.Sub, Mnemonic.Xor, Mnemonic.Xadd, Mnemonic.Xchg,
    }.ToFrozenSet();

    private static readonly int[] EdgeCounts = [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255];

    private readonly OperandValues _values = new(seed);

    private Random Random => _values.Random;

    public IEnumerable<DifferentialCase> Generate(Code code, int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return Next(code);
        }
    }

    public DifferentialCase Next(Code code)
    {
        OpCodeInfo info = code.ToOpCode();
        Mnemonic mnemonic = code.Mnemonic();

        // Without REX, AH..BH are encodable but R8..R15, the scratch base R15 and 64-bit operands are not.
        bool legacy = UsesByteRegister(info) && !UsesRexW(info) && Random.Next(2) == 0;

        // LOCK is legal only on these mnemonics with a memory destination (#UD, i.e. SIGILL natively, otherwise).
        bool locked = !legacy && Lockable.Contains(mnemonic) && info.OpCount > 0 && IsRegisterOrMemory(info.GetOpKind(0)) && Random.Next(4) == 0;

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

        bool isDivision = mnemonic is Mnemonic.Div or Mnemonic.Idiv;
        bool isShift = InstructionForms.Shifts.Contains(mnemonic);
        var operands = new SnippetOperand[info.OpCount];
        for (int i = 0; i < operands.Length; i++)
        {
            OpCodeOperandKind kind = info.GetOpKind(i);
            operands[i] = Choose(kind, mnemonic, legacy, excludeAccumulator: isDivision, forceMemory: locked && i == 0);
            int bits = Bits(kind);
            if (bits > 0 && operands[i].Kind is OperandKind.Register or OperandKind.Memory)
            {
                OperandAccess.Write(operands[i], bits, _values.Interesting(bits), input, memory);
            }
            else if (isShift && kind == OpCodeOperandKind.imm8)
            {
                operands[i] = SnippetOperand.Imm(OperandKind.UnsignedImmediate, NextCount());
            }
        }

        int width = info.OpCount > 0 ? Bits(info.GetOpKind(0)) : 0;
        int count = 0;
        ushort undefinedRegisters = 0;
        if (isShift)
        {
            count = ShiftCount(info, operands, input, width);
        }
        else if (isDivision)
        {
            SteerDivision(operands[0], width, mnemonic == Mnemonic.Idiv, input, memory);
        }
        else if (mnemonic is Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc
            && operands[0].Kind == OperandKind.Memory && operands[1].Kind == OperandKind.Register)
        {
            // The register is a signed bit offset from the operand: keep it within +-16 bytes of it.
            OperandAccess.Write(operands[1], width, (ulong)Random.Next(-128, 128), input, memory);
        }
        else if (mnemonic == Mnemonic.Cmpxchg && Random.Next(2) == 0)
        {
            SnippetOperand accumulator = SnippetOperand.Reg(Accumulator(width));
            OperandAccess.Write(accumulator, width, OperandAccess.Read(operands[0], width, input, memory), input, memory);
        }
        else if (mnemonic is Mnemonic.Bsf or Mnemonic.Bsr && OperandAccess.Read(operands[1], width, input, memory) == 0)
        {
            undefinedRegisters |= (ushort)(1 << (int)OperandAccess.FullRegister(operands[0].Register));
        }

        Instruction instruction = Build(code, operands);
        instruction.HasLockPrefix = locked;
        using var stream = new MemoryStream();
        var encoder = Encoder.Create(64, new StreamCodeWriter(stream));
        if (!encoder.TryEncode(instruction, 0, out _, out string? error))
        {
            throw new InvalidOperationException($"cannot encode {code} {instruction}: {error}");
        }

        return new DifferentialCase(
            code.ToString(), instruction.ToString(), stream.ToArray(), input, memory,
            FlagDefinitions.Defined(mnemonic, width, count), undefinedRegisters);
    }

    /// <summary>Width in bits of a register or r/m operand kind; 0 for immediates and addresses.</summary>
    public static int Bits(OpCodeOperandKind kind) => kind switch
    {
        OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r8_reg or OpCodeOperandKind.r8_opcode or OpCodeOperandKind.al or OpCodeOperandKind.cl => 8,
        OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r16_reg or OpCodeOperandKind.r16_opcode or OpCodeOperandKind.ax => 16,
        OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_opcode or OpCodeOperandKind.eax => 32,
        OpCodeOperandKind.r64_or_mem or OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_opcode or OpCodeOperandKind.rax => 64,
        _ => 0,
    };

    private static bool UsesByteRegister(OpCodeInfo info) =>
        Enumerable.Range(0, info.OpCount).Any(i => info.GetOpKind(i) is OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r8_reg or OpCodeOperandKind.r8_opcode);

    private static bool IsRegisterOrMemory(OpCodeOperandKind kind) =>
        kind is OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem;

    private static bool UsesRexW(OpCodeInfo info) => Enumerable.Range(0, info.OpCount).Any(i => Bits(info.GetOpKind(i)) == 64);

    private static Register Accumulator(int width) => width switch
    {
        8 => Register.AL,
        16 => Register.AX,
        32 => Register.EAX,
        _ => Register.RAX,
    };

    private SnippetOperand Choose(OpCodeOperandKind kind, Mnemonic mnemonic, bool legacy, bool excludeAccumulator, bool forceMemory)
    {
        switch (kind)
        {
            case OpCodeOperandKind.al: return SnippetOperand.Reg(Register.AL);
            case OpCodeOperandKind.cl: return SnippetOperand.Reg(Register.CL);
            case OpCodeOperandKind.ax: return SnippetOperand.Reg(Register.AX);
            case OpCodeOperandKind.eax: return SnippetOperand.Reg(Register.EAX);
            case OpCodeOperandKind.rax: return SnippetOperand.Reg(Register.RAX);
            case OpCodeOperandKind.imm8_const_1: return SnippetOperand.Imm(OperandKind.SignedImmediate, 1);
            case OpCodeOperandKind.imm8: return SnippetOperand.Imm(OperandKind.UnsignedImmediate, (long)_values.Interesting(8));
            case OpCodeOperandKind.imm16: return SnippetOperand.Imm(OperandKind.UnsignedImmediate, (long)_values.Interesting(16));
            case OpCodeOperandKind.imm32: return SnippetOperand.Imm(OperandKind.UnsignedImmediate, (long)_values.Interesting(32));
            case OpCodeOperandKind.imm8sex16 or OpCodeOperandKind.imm8sex32 or OpCodeOperandKind.imm8sex64:
                return SnippetOperand.Imm(OperandKind.SignedImmediate, (sbyte)_values.Interesting(8));
            case OpCodeOperandKind.imm32sex64: return SnippetOperand.Imm(OperandKind.SignedImmediate, (int)_values.Interesting(32));
            case OpCodeOperandKind.imm64: return SnippetOperand.Imm(OperandKind.Immediate64, (long)_values.Interesting(64));
            case OpCodeOperandKind.mem: return SnippetOperand.Address(NextAddress());
            default: break;
        }

        int bits = Bits(kind);
        bool mayBeMemory = IsRegisterOrMemory(kind);
        if (forceMemory || (mayBeMemory && !legacy && mnemonic != Mnemonic.Lea && Random.Next(3) == 0))
        {
            int displacement = Random.Next(MinDisplacement, MaxDisplacement + 1);

            // XCHG with memory is implicitly locked: a lock split across cache lines can trap (split-lock
            // detection) or stall the host, so locked accesses get a naturally aligned operand (bit strings then
            // stay aligned too); the rest stay unaligned.
            if (forceMemory || mnemonic == Mnemonic.Xchg)
            {
                displacement &= ~((bits / 8) - 1);
            }

            return SnippetOperand.Scratch(displacement);
        }

        while (true)
        {
            Register register = PickRegister(bits, legacy);
            if (!(mayBeMemory && excludeAccumulator && OperandAccess.FullRegister(register) is GeneralRegister.Rax or GeneralRegister.Rdx))
            {
                return SnippetOperand.Reg(register);
            }
        }
    }

    private Register PickRegister(int bits, bool legacy)
    {
        if (bits == 8)
        {
            Register[] pool = legacy ? Legacy8 : Rex8;
            return pool[Random.Next(pool.Length)];
        }

        Register full = Gpr64[Random.Next(legacy ? 7 : Gpr64.Length)];
        int index = full - Register.RAX;
        return bits switch
        {
            16 => Register.AX + index,
            32 => Register.EAX + index,
            _ => full,
        };
    }

    private MemoryOperand NextAddress()
    {
        Register baseRegister = Gpr64[Random.Next(Gpr64.Length)];
        Register index = Random.Next(2) == 0 ? Register.None : Gpr64[Random.Next(Gpr64.Length)];
        int scale = 1 << Random.Next(4);
        int displacement = Random.Next(3) switch
        {
            0 => 0,
            1 => Random.Next(-128, 128),
            _ => (int)_values.Interesting(32),
        };
        return new MemoryOperand(baseRegister, index, index == Register.None ? 1 : scale, displacement, 1);
    }

    private int NextCount() => Random.Next(3) == 0 ? Random.Next(256) : EdgeCounts[Random.Next(EdgeCounts.Length)];

    /// <summary>Picks the shift count (CL's low byte, or the immediate already chosen) and returns it.</summary>
    private int ShiftCount(OpCodeInfo info, SnippetOperand[] operands, RegisterSnapshot input, int width)
    {
        int last = info.OpCount - 1;
        OpCodeOperandKind countKind = info.GetOpKind(last);
        int count = countKind switch
        {
            OpCodeOperandKind.imm8_const_1 => 1,
            OpCodeOperandKind.imm8 => (int)operands[last].Immediate,
            _ => NextCount(),
        };

        bool isDouble = info.Code.Mnemonic() is Mnemonic.Shld or Mnemonic.Shrd;
        if (isDouble && FlagDefinitions.DoubleShiftResultUndefined(width, count))
        {
            // SHLD/SHRD by more than the operand size leave the destination undefined, memory included: not tested.
            count = width;
            if (countKind == OpCodeOperandKind.imm8)
            {
                operands[last] = SnippetOperand.Imm(OperandKind.UnsignedImmediate, count);
            }
        }

        if (countKind == OpCodeOperandKind.cl)
        {
            input[GeneralRegister.Rcx] = OperandValues.Merge(input[GeneralRegister.Rcx], (ulong)count, 8);
        }

        return count;
    }

    /// <summary>Makes the divisor nonzero and the quotient fit, keeping the inputs as wild as that allows.</summary>
    private void SteerDivision(SnippetOperand divisorOperand, int width, bool signed, RegisterSnapshot input, byte[] memory)
    {
        SnippetOperand low = SnippetOperand.Reg(width == 8 ? Register.AL : Accumulator(width));
        SnippetOperand high = SnippetOperand.Reg(width switch { 8 => Register.AH, 16 => Register.DX, 32 => Register.EDX, _ => Register.RDX });
        ulong divisor = OperandAccess.Read(divisorOperand, width, input, memory);
        if (divisor == 0)
        {
            divisor = 1UL << Random.Next(width);
            OperandAccess.Write(divisorOperand, width, divisor, input, memory);
        }

        ulong lowValue = OperandAccess.Read(low, width, input, memory);
        ulong highValue = OperandAccess.Read(high, width, input, memory);
        if (!signed)
        {
            OperandAccess.Write(high, width, highValue % divisor, input, memory);
            return;
        }

        if (!SignedQuotientFits(highValue, lowValue, divisor, width))
        {
            ulong signExtension = (lowValue >> (width - 1)) != 0 ? OperandValues.Mask(width) : 0;
            OperandAccess.Write(high, width, signExtension, input, memory);
            if (!SignedQuotientFits(signExtension, lowValue, divisor, width))
            {
                // Only MIN / -1 is left: divide by 1 instead.
                OperandAccess.Write(divisorOperand, width, 1, input, memory);
            }
        }
    }

    private static bool SignedQuotientFits(ulong high, ulong low, ulong divisor, int width)
    {
        Int128 dividend = ((Int128)SignExtend(high, width) << width) | (Int128)(UInt128)low;
        Int128 quotient = dividend / SignExtend(divisor, width);
        Int128 limit = Int128.One << (width - 1);
        return quotient >= -limit && quotient < limit;
    }

    private static long SignExtend(ulong value, int width) => width == 64 ? (long)value : (long)(value << (64 - width)) >> (64 - width);

    private static Instruction Build(Code code, SnippetOperand[] o) => o.Length switch
    {
        0 => Instruction.Create(code),
        1 => o[0].Kind == OperandKind.Register ? Instruction.Create(code, o[0].Register) : Instruction.Create(code, o[0].Memory),
        2 => Build2(code, o[0], o[1]),
        3 => Build3(code, o[0], o[1], o[2]),
        _ => throw new InvalidOperationException($"{code} has {o.Length} operands"),
    };

    private static Instruction Build2(Code code, SnippetOperand a, SnippetOperand b) => (a.Kind, b.Kind) switch
    {
        (OperandKind.Register, OperandKind.Register) => Instruction.Create(code, a.Register, b.Register),
        (OperandKind.Register, OperandKind.Memory or OperandKind.Address) => Instruction.Create(code, a.Register, b.Memory),
        (OperandKind.Memory, OperandKind.Register) => Instruction.Create(code, a.Memory, b.Register),
        (OperandKind.Register, OperandKind.SignedImmediate) => Instruction.Create(code, a.Register, (int)b.Immediate),
        (OperandKind.Register, OperandKind.UnsignedImmediate) => Instruction.Create(code, a.Register, (uint)b.Immediate),
        (OperandKind.Register, OperandKind.Immediate64) => Instruction.Create(code, a.Register, (ulong)b.Immediate),
        (OperandKind.Memory, OperandKind.SignedImmediate) => Instruction.Create(code, a.Memory, (int)b.Immediate),
        (OperandKind.Memory, OperandKind.UnsignedImmediate) => Instruction.Create(code, a.Memory, (uint)b.Immediate),
        _ => throw new InvalidOperationException($"{code}: unsupported operands {a.Kind}, {b.Kind}"),
    };

    private static Instruction Build3(Code code, SnippetOperand a, SnippetOperand b, SnippetOperand c) => (a.Kind, b.Kind, c.Kind) switch
    {
        (OperandKind.Register, OperandKind.Register, OperandKind.Register) => Instruction.Create(code, a.Register, b.Register, c.Register),
        (OperandKind.Memory, OperandKind.Register, OperandKind.Register) => Instruction.Create(code, a.Memory, b.Register, c.Register),
        (OperandKind.Register, OperandKind.Register, OperandKind.SignedImmediate) => Instruction.Create(code, a.Register, b.Register, (int)c.Immediate),
        (OperandKind.Register, OperandKind.Register, OperandKind.UnsignedImmediate) => Instruction.Create(code, a.Register, b.Register, (uint)c.Immediate),
        (OperandKind.Register, OperandKind.Memory, OperandKind.SignedImmediate) => Instruction.Create(code, a.Register, b.Memory, (int)c.Immediate),
        (OperandKind.Register, OperandKind.Memory, OperandKind.UnsignedImmediate) => Instruction.Create(code, a.Register, b.Memory, (uint)c.Immediate),
        (OperandKind.Memory, OperandKind.Register, OperandKind.SignedImmediate) => Instruction.Create(code, a.Memory, b.Register, (int)c.Immediate),
        (OperandKind.Memory, OperandKind.Register, OperandKind.UnsignedImmediate) => Instruction.Create(code, a.Memory, b.Register, (uint)c.Immediate),
        _ => throw new InvalidOperationException($"{code}: unsupported operands {a.Kind}, {b.Kind}, {c.Kind}"),
    };
}
