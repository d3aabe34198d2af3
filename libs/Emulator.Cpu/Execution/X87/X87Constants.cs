using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// x87 constants (SDM vol. 1, 8.3.8): FLD1 and FLDZ are exact; π, log2 e, log2 10, log10 2 and ln 2 are
/// kept with enough bits to round them correctly by RC, as hardware does (the values QEMU uses).
/// </summary>
public static class X87Constants
{
    private const OperandRegisters Registers = OperandRegisters.X87 | OperandRegisters.General;

    public static void AddTo(DispatchTable table)
    {
        foreach (Mnemonic m in new[] { Mnemonic.Fld1, Mnemonic.Fldz, Mnemonic.Fldpi, Mnemonic.Fldl2e, Mnemonic.Fldl2t, Mnemonic.Fldlg2, Mnemonic.Fldln2 })
        {
            table.Add(m, Load, registers: Registers);
        }
    }

    /// <summary>The constant's value as (exponent, significand truncated to 64 bits, whether the rest exceeds half an ulp).</summary>
    private static (int Exponent, ulong Truncated, bool AboveHalf) ValueOf(Mnemonic m) => m switch
    {
        Mnemonic.Fldpi => (0x4000, 0xC90F_DAA2_2168_C234, true),
        Mnemonic.Fldl2e => (0x3FFF, 0xB8AA_3B29_5C17_F0BB, true),
        Mnemonic.Fldl2t => (0x4000, 0xD49A_784B_CD1B_8AFE, false),
        Mnemonic.Fldlg2 => (0x3FFD, 0x9A20_9A84_FBCF_F798, true),
        _ => (0x3FFE, 0xB172_17F7_D1CF_79AB, true),
    };

    public static Float80 Constant(Mnemonic m, RoundingMode mode)
    {
        if (m == Mnemonic.Fld1)
        {
            return Float80Arithmetic.One;
        }

        if (m == Mnemonic.Fldz)
        {
            return Float80Arithmetic.Zero(false);
        }

        (int exponent, ulong truncated, bool aboveHalf) = ValueOf(m);
        bool up = mode == RoundingMode.Up || (mode == RoundingMode.NearestEven && aboveHalf);
        return Float80Arithmetic.Pack(false, exponent, up ? truncated + 1 : truncated);
    }

    private static ExitReason Load(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        X87Stack.SetC1(c, false);
        X87DataTransfer.PushChecked(c, Constant(i.Mnemonic, (RoundingMode)((c.State.Fcw >> 10) & 3)));
        return ExitReason.Continue;
    }
}
