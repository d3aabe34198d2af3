namespace Emulator.Cpu.Tests.X87;

/// <summary>What the memory operand of a form holds before the instruction runs.</summary>
public enum X87OperandKind
{
    None,
    Single,
    Double,
    Extended,
    Int16,
    Int32,
    Int64,
    Bcd,
    ControlWord,
}
