namespace Emulator.Cpu;

/// <summary>#PF error-code bits (Intel SDM vol. 3, 4.7 "Page-Fault Exceptions").</summary>
public static class PageFaultErrorCode
{
    public const uint Present = 1u << 0;
    public const uint Write = 1u << 1;
    public const uint User = 1u << 2;
    public const uint ReservedBit = 1u << 3;
    public const uint InstructionFetch = 1u << 4;
}
