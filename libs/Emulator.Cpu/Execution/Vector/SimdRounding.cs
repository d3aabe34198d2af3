namespace Emulator.Cpu;

/// <summary>MXCSR.RC (and x87 RC) encodings.</summary>
public enum SimdRounding
{
    Nearest = 0,
    Down = 1,
    Up = 2,
    TowardZero = 3,
}
