namespace Emulator.Cpu;

/// <summary>Exception vectors (Intel SDM vol. 3, 6.3.1 "Table 6-1 Protected-Mode Exceptions and Interrupts").</summary>
public static class ExceptionVector
{
    public const byte DivideError = 0;
    public const byte InvalidOpcode = 6;
    public const byte StackFault = 12;
    public const byte GeneralProtection = 13;
    public const byte PageFault = 14;
}
