using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// The register classes a handler accepts as register operands. A handler registered for a whole
/// mnemonic must not be handed a register it does not model (MOV with a segment register, an MMX
/// form of a vector mnemonic...): the interpreter raises #UD for any class the handler did not claim.
/// </summary>
[Flags]
public enum OperandRegisters
{
    /// <summary>General-purpose, control and debug registers: what the integer handlers model.</summary>
    General = 1,
    Segment = 2,
    X87 = 4,
    Mmx = 8,
    Xmm = 16,
}

/// <summary>Classifies Iced registers into <see cref="OperandRegisters"/>.</summary>
public static class OperandRegisterClass
{
    /// <summary>The class of <paramref name="register"/>, or 0 for registers no handler models (YMM, K, TMM, bound...).</summary>
    public static OperandRegisters Of(Register register) =>
        register.IsGPR() || register.IsCR() || register.IsDR() ? OperandRegisters.General
        : register.IsSegmentRegister() ? OperandRegisters.Segment
        : register.IsST() ? OperandRegisters.X87
        : register.IsMM() ? OperandRegisters.Mmx
        : register.IsXMM() ? OperandRegisters.Xmm
        : 0;
}
