namespace Emulator.Cpu;

/// <summary>The outcome of a floating-point comparison.</summary>
public enum FloatRelation
{
    Less,
    Equal,
    Greater,
    Unordered,
}
