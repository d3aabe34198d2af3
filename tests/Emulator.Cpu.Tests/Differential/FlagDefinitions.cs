using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Which status flags (and DF) the SDM defines after an instruction, per its Flags Affected section. Flags an
/// instruction leaves unaffected are defined (they must keep their input value); only "undefined" ones are masked out.
/// </summary>
public static class FlagDefinitions
{
    public const ulong All = RegisterSnapshot.StatusFlags;

    private const ulong OF = RflagsBits.OF;
    private const ulong SF = RflagsBits.SF;
    private const ulong ZF = RflagsBits.ZF;
    private const ulong AF = RflagsBits.AF;
    private const ulong PF = RflagsBits.PF;
    private const ulong CF = RflagsBits.CF;

    /// <summary>
    /// The defined flags of <paramref name="mnemonic"/> with a destination of <paramref name="width"/> bits and, for
    /// shifts and rotates, the raw <paramref name="count"/> operand (before masking).
    /// </summary>
    public static ulong Defined(Mnemonic mnemonic, int width, int count) => mnemonic switch
    {
        Mnemonic.And or Mnemonic.Or or Mnemonic.Xor or Mnemonic.Test => All & ~AF,
        Mnemonic.Mul or Mnemonic.Imul => All & ~(SF | ZF | AF | PF),
        Mnemonic.Div or Mnemonic.Idiv => All & ~(CF | OF | SF | ZF | AF | PF),
        Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc => All & ~(OF | SF | AF | PF),
        Mnemonic.Bsf or Mnemonic.Bsr => All & ~(CF | OF | SF | AF | PF),
        Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr or Mnemonic.Sar => Shift(width, MaskedCount(width, count)),
        Mnemonic.Rol or Mnemonic.Ror or Mnemonic.Rcl or Mnemonic.Rcr => MaskedCount(width, count) > 1 ? All & ~OF : All,
        Mnemonic.Shld or Mnemonic.Shrd => DoubleShift(width, MaskedCount(width, count)),
        _ => All,
    };

    /// <summary>Shift and rotate counts are masked to 5 bits (6 with a 64-bit operand) before anything else.</summary>
    public static int MaskedCount(int width, int count) => count & (width == 64 ? 63 : 31);

    /// <summary>True when SHLD/SHRD leave their destination undefined (a 16-bit operand shifted by more than 16).</summary>
    public static bool DoubleShiftResultUndefined(int width, int count) => MaskedCount(width, count) > width;

    private static ulong Shift(int width, int masked)
    {
        if (masked == 0)
        {
            return All;
        }

        ulong defined = All & ~AF;
        if (masked != 1)
        {
            defined &= ~OF;
        }

        // The SDM leaves CF undefined once the count reaches the operand size.
        if (masked >= width)
        {
            defined &= ~CF;
        }

        return defined;
    }

    private static ulong DoubleShift(int width, int masked)
    {
        if (masked == 0)
        {
            return All;
        }

        if (masked > width)
        {
            return All & ~(CF | OF | SF | ZF | AF | PF);
        }

        ulong defined = All & ~AF;
        return masked == 1 ? defined : defined & ~OF;
    }
}
