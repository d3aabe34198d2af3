namespace Emulator.Cpu.Tests.Vector;

/// <summary>One instruction's bytes, the register block it starts from and the scratch memory R15 points at.</summary>
public sealed record VectorCase(byte[] Code, VectorState Input, byte[] Memory, string Text)
{
    public const int MemorySize = 1024;

    /// <summary>The register that holds the scratch buffer's address in both runners (never a generated operand).</summary>
    public const int MemoryBase = 15;

    /// <summary>RDI, which MASKMOVQ/MASKMOVDQU store through, points at this offset in the scratch buffer.</summary>
    public const int MaskedStoreOffset = 256;
}
