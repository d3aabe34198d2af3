namespace Emulator.Cpu;

/// <summary>MXCSR fields (SDM vol. 1, 10.2.3): sticky flags 0-5, DAZ, masks 7-12 (flag &lt;&lt; 7), rounding 13-14, FTZ.</summary>
public static class MxcsrBits
{
    public const uint Invalid = 1 << 0;
    public const uint Denormal = 1 << 1;
    public const uint DivideByZero = 1 << 2;
    public const uint Overflow = 1 << 3;
    public const uint Underflow = 1 << 4;
    public const uint Precision = 1 << 5;
    public const uint Flags = 0x3F;
    public const uint DenormalsAreZero = 1 << 6;
    public const int MaskShift = 7;
    public const int RoundingShift = 13;
    public const uint FlushToZero = 1 << 15;
}
