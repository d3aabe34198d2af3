namespace Emulator.Cpu.Tests.Vector;

/// <summary>
/// The register block a vector snippet runs on and produces, as qwords: XMM0-15 (low, high), MM0-7,
/// MXCSR, RFLAGS and the 16 GPRs by number. Both runners read and write exactly this layout.
/// </summary>
public sealed class VectorState
{
    public const int XmmWord = 0;
    public const int MmxWord = 32;
    public const int MxcsrWord = 40;
    public const int RflagsWord = 41;
    public const int GprWord = 42;
    public const int BlockWords = 58;

    public ulong[] Words { get; } = new ulong[BlockWords];

    public ulong Mxcsr
    {
        get => Words[MxcsrWord];
        set => Words[MxcsrWord] = value;
    }

    public ulong Rflags
    {
        get => Words[RflagsWord];
        set => Words[RflagsWord] = value;
    }

    public ref ulong XmmLow(int i) => ref Words[XmmWord + (2 * i)];

    public ref ulong XmmHigh(int i) => ref Words[XmmWord + (2 * i) + 1];

    public ref ulong Mmx(int i) => ref Words[MmxWord + i];

    public ref ulong Gpr(int i) => ref Words[GprWord + i];

    public VectorState Clone()
    {
        var copy = new VectorState();
        Words.CopyTo(copy.Words, 0);
        return copy;
    }
}
