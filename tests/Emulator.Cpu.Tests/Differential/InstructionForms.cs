using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// The instruction forms (Iced <see cref="Code"/>s) the differential suite covers, picked by mnemonic from every
/// legacy-encoded 64-bit-mode form whose operands the generator knows how to fill.
/// </summary>
public static class InstructionForms
{
    private static readonly string[] Conditions = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];

    public static readonly IReadOnlyList<Mnemonic> Alu =
        [Mnemonic.Add, Mnemonic.Or, Mnemonic.Adc, Mnemonic.Sbb, Mnemonic.And, Mnemonic.Sub, Mnemonic.Xor, Mnemonic.Cmp, Mnemonic.Test];

    public static readonly IReadOnlyList<Mnemonic> Unary = [Mnemonic.Inc, Mnemonic.Dec, Mnemonic.Neg, Mnemonic.Not];

    public static readonly IReadOnlyList<Mnemonic> Shifts =
        [Mnemonic.Rol, Mnemonic.Ror, Mnemonic.Rcl, Mnemonic.Rcr, Mnemonic.Shl, Mnemonic.Sal, Mnemonic.Shr, Mnemonic.Sar, Mnemonic.Shld, Mnemonic.Shrd];

    public static readonly IReadOnlyList<Mnemonic> MulDiv = [Mnemonic.Mul, Mnemonic.Imul, Mnemonic.Div, Mnemonic.Idiv];

    public static readonly IReadOnlyList<Mnemonic> BitOps =
        [Mnemonic.Bt, Mnemonic.Bts, Mnemonic.Btr, Mnemonic.Btc, Mnemonic.Bsf, Mnemonic.Bsr, Mnemonic.Popcnt];

    public static readonly IReadOnlyList<Mnemonic> Conditional =
        [.. Conditions.Select(cc => Enum.Parse<Mnemonic>("Cmov" + cc, ignoreCase: true)), .. Conditions.Select(cc => Enum.Parse<Mnemonic>("Set" + cc, ignoreCase: true))];

    public static readonly IReadOnlyList<Mnemonic> Exchange = [Mnemonic.Xadd, Mnemonic.Cmpxchg, Mnemonic.Xchg, Mnemonic.Bswap];

    public static readonly IReadOnlyList<Mnemonic> Moves =
        [Mnemonic.Mov, Mnemonic.Movzx, Mnemonic.Movsx, Mnemonic.Movsxd, Mnemonic.Lea, Mnemonic.Cbw, Mnemonic.Cwde, Mnemonic.Cdqe, Mnemonic.Cwd, Mnemonic.Cdq, Mnemonic.Cqo];

    public static readonly IReadOnlyList<Mnemonic> FlagOps = [Mnemonic.Lahf, Mnemonic.Sahf, Mnemonic.Clc, Mnemonic.Stc, Mnemonic.Cmc, Mnemonic.Cld, Mnemonic.Std];

    /// <summary>Forms that must change nothing but RIP (the hint-space NOPs whose meaning is model-specific are excluded).</summary>
    public static readonly IReadOnlyList<Mnemonic> Hints =
        [Mnemonic.Nop, Mnemonic.Reservednop, Mnemonic.Pause, Mnemonic.Wait, Mnemonic.Lfence, Mnemonic.Mfence, Mnemonic.Sfence];

    private static readonly HashSet<OpCodeOperandKind> Supported =
    [
        OpCodeOperandKind.r8_or_mem, OpCodeOperandKind.r16_or_mem, OpCodeOperandKind.r32_or_mem, OpCodeOperandKind.r64_or_mem,
        OpCodeOperandKind.r8_reg, OpCodeOperandKind.r8_opcode, OpCodeOperandKind.r16_reg, OpCodeOperandKind.r16_opcode,
        OpCodeOperandKind.r32_reg, OpCodeOperandKind.r32_opcode, OpCodeOperandKind.r64_reg, OpCodeOperandKind.r64_opcode,
        OpCodeOperandKind.mem, OpCodeOperandKind.al, OpCodeOperandKind.cl, OpCodeOperandKind.ax, OpCodeOperandKind.eax, OpCodeOperandKind.rax,
        OpCodeOperandKind.imm8, OpCodeOperandKind.imm8_const_1, OpCodeOperandKind.imm8sex16, OpCodeOperandKind.imm8sex32,
        OpCodeOperandKind.imm8sex64, OpCodeOperandKind.imm16, OpCodeOperandKind.imm32, OpCodeOperandKind.imm32sex64, OpCodeOperandKind.imm64,
    ];

    public static IReadOnlyList<Mnemonic> Everything =>
        [.. Alu, .. Unary, .. Shifts, .. MulDiv, .. BitOps, .. Conditional, .. Exchange, .. Moves, .. FlagOps, .. Hints];

    /// <summary>Every covered form of the given mnemonics, in <see cref="Code"/> order.</summary>
    public static IReadOnlyList<Code> Of(IEnumerable<Mnemonic> mnemonics)
    {
        var wanted = mnemonics.ToHashSet();
        return [.. Enum.GetValues<Code>().Where(code => wanted.Contains(code.Mnemonic()) && IsGeneratable(code))];
    }

    public static bool IsGeneratable(Code code)
    {
        // Forms whose result is undefined or vendor-specific, or that would fault natively, are never generated.
        if (DifferentialExclusions.Reasons.ContainsKey(code))
        {
            return false;
        }

        OpCodeInfo info = code.ToOpCode();
        if (info.Encoding != EncodingKind.Legacy || !info.Mode64 || !info.IsInstruction)
        {
            return false;
        }

        for (int i = 0; i < info.OpCount; i++)
        {
            if (!Supported.Contains(info.GetOpKind(i)))
            {
                return false;
            }
        }

        // LEA is the only form whose plain memory operand is an address rather than data.
        return code.Mnemonic() == Mnemonic.Lea || Enumerable.Range(0, info.OpCount).All(i => info.GetOpKind(i) != OpCodeOperandKind.mem);
    }
}
