using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Straight-line runs of several generated instructions, so flags and results flow from one instruction into the
/// next (ADC after ADD, CMOV after CMP) and the interpreter's multi-instruction blocks are exercised. Only forms
/// that are safe from any input state (no division, no register bit offsets into memory) and whose only undefined
/// flag is AF, which none of them reads, are chained; the sequence's defined flags are the intersection of its parts'.
/// </summary>
public sealed class SequenceGenerator(int seed)
{
    public static readonly IReadOnlyList<Mnemonic> Chainable =
    [
        Mnemonic.Add, Mnemonic.Adc, Mnemonic.Sub, Mnemonic.Sbb, Mnemonic.Cmp, Mnemonic.And, Mnemonic.Or, Mnemonic.Xor, Mnemonic.Test,
        .. InstructionForms.Unary, .. InstructionForms.Conditional,
        Mnemonic.Xadd, Mnemonic.Cmpxchg, Mnemonic.Xchg, Mnemonic.Bswap,
        .. InstructionForms.Moves, Mnemonic.Clc, Mnemonic.Stc, Mnemonic.Cmc,
    ];

    private readonly SnippetGenerator _snippets = new(seed);
    private readonly Random _random = new(seed ^ 0x5EED);
    private readonly Code[] _forms = [.. InstructionForms.Of(Chainable)];

    public DifferentialCase Next(int minLength, int maxLength)
    {
        int length = _random.Next(minLength, maxLength + 1);
        var parts = new List<DifferentialCase>(length);
        for (int i = 0; i < length; i++)
        {
            parts.Add(_snippets.Next(_forms[_random.Next(_forms.Length)]));
        }

        ulong defined = parts.Aggregate(FlagDefinitions.All, (mask, part) => mask & part.DefinedFlags);
        ushort undefinedRegisters = parts.Aggregate((ushort)0, (mask, part) => (ushort)(mask | part.UndefinedRegisters));
        return new DifferentialCase(
            "sequence", string.Join("; ", parts.Select(p => p.Text)), [.. parts.SelectMany(p => p.Code)],
            parts[0].Input, parts[0].Memory, defined, undefinedRegisters);
    }
}
