namespace Emulator.Cpu.Tests.Differential;

/// <summary>How a <see cref="SnippetOperand"/> is encoded; immediates differ only in the Iced overload that takes them.</summary>
public enum OperandKind
{
    Register,

    /// <summary>Data in the scratch buffer, [R15+disp].</summary>
    Memory,

    /// <summary>An address computed but not accessed (LEA).</summary>
    Address,

    /// <summary>An immediate Iced takes as a sign-extended int.</summary>
    SignedImmediate,

    /// <summary>An immediate Iced takes as a uint (imm8, imm16, imm32).</summary>
    UnsignedImmediate,

    /// <summary>MOV r64, imm64.</summary>
    Immediate64,
}
