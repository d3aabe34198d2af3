namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// One generated test: machine code (no terminator: each runner appends its own), the input registers and scratch
/// memory, and what the SDM leaves undefined for these inputs (flag bits outside <see cref="DefinedFlags"/>,
/// registers in <see cref="UndefinedRegisters"/>), which comparisons skip.
/// </summary>
public sealed record DifferentialCase(
    string Form,
    string Text,
    byte[] Code,
    RegisterSnapshot Input,
    byte[] Memory,
    ulong DefinedFlags,
    ushort UndefinedRegisters)
{
    /// <summary>The register that holds the scratch buffer's address (R15 is hard-wired in <see cref="SnippetOperand"/>); never an operand, never compared.</summary>
    public const GeneralRegister MemoryBase = GeneralRegister.R15;

    /// <summary>Bytes in the scratch buffer every case carries.</summary>
    public const int MemorySize = 512;

    public override string ToString() => $"{Text} [{Form}]";
}
