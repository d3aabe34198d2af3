namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// The integer state a snippet reads and writes: the 16 GPRs (in <see cref="GeneralRegister"/> order) and RFLAGS.
/// Its block form (<see cref="BlockWords"/> little-endian qwords, RFLAGS last) is what the native trampoline loads and stores.
/// </summary>
public sealed class RegisterSnapshot
{
    public const int BlockWords = GprFile.Count + 1;

    /// <summary>Word index of RFLAGS in the block.</summary>
    public const int RflagsWord = GprFile.Count;

    /// <summary>The flags a snippet may set or observe: the six arithmetic flags and DF.</summary>
    public const ulong StatusFlags = RflagsBits.CF | RflagsBits.PF | RflagsBits.AF | RflagsBits.ZF | RflagsBits.SF | RflagsBits.DF | RflagsBits.OF;

    public ulong[] Gpr { get; } = new ulong[GprFile.Count];

    public ulong Rflags { get; set; } = RflagsBits.Fixed1;

    public ulong this[GeneralRegister register]
    {
        get => Gpr[(int)register];
        set => Gpr[(int)register] = value;
    }

    public RegisterSnapshot Clone()
    {
        var copy = new RegisterSnapshot { Rflags = Rflags };
        Gpr.CopyTo(copy.Gpr, 0);
        return copy;
    }

    public void WriteBlock(Span<ulong> block)
    {
        Gpr.CopyTo(block);
        block[RflagsWord] = Rflags;
    }

    public static RegisterSnapshot ReadBlock(ReadOnlySpan<ulong> block)
    {
        var snapshot = new RegisterSnapshot { Rflags = block[RflagsWord] };
        block[..GprFile.Count].CopyTo(snapshot.Gpr);
        return snapshot;
    }

    public override string ToString()
    {
        var text = new global::System.Text.StringBuilder();
        for (int i = 0; i < GprFile.Count; i++)
        {
            text.Append($"{(GeneralRegister)i,-3}={Gpr[i]:x16} ");
        }

        text.Append($"RFLAGS={Rflags:x}");
        return text.ToString();
    }
}
