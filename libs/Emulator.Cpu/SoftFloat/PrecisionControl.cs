namespace Emulator.Cpu;

/// <summary>Precision control, numbered as the x87 FCW.PC field (1 is reserved and behaves as 64-bit here).</summary>
public enum PrecisionControl
{
    Single = 0,
    Reserved = 1,
    Double = 2,
    Extended = 3,
}
