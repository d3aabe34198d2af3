namespace Emulator.Cpu;

/// <summary>Floating-point exception flags, in the bit positions of the x87 status word (and MXCSR).</summary>
[Flags]
public enum FloatFlags
{
    None = 0,
    Invalid = 1,
    Denormal = 2,
    DivideByZero = 4,
    Overflow = 8,
    Underflow = 16,
    Inexact = 32,
    All = 63,
}
