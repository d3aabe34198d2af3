namespace Emulator.Cpu;

/// <summary>Rounding control, numbered as the x87 FCW.RC field.</summary>
public enum RoundingMode
{
    NearestEven = 0,
    Down = 1,
    Up = 2,
    TowardZero = 3,
}
