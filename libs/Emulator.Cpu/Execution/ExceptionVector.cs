namespace Emulator.Cpu;

/// <summary>Exception vectors (Intel SDM vol. 3, 6.3.1 "Table 6-1 Protected-Mode Exceptions and Interrupts").</summary>
public static class ExceptionVector
{
    public const byte DivideError = 0;
    public const byte Debug = 1;
    public const byte Breakpoint = 3;
    public const byte Overflow = 4;
    public const byte InvalidOpcode = 6;

    /// <summary>#NM: an x87/MMX/SSE instruction with CR0.TS (or, for x87, CR0.EM) set (lazy FPU context switch).</summary>
    public const byte DeviceNotAvailable = 7;
    public const byte DoubleFault = 8;
    public const byte InvalidTss = 10;
    public const byte SegmentNotPresent = 11;
    public const byte StackFault = 12;
    public const byte GeneralProtection = 13;
    public const byte PageFault = 14;

    /// <summary>#XM: an unmasked SIMD floating-point exception with CR4.OSXMMEXCPT set (else #UD).</summary>
    public const byte SimdFloatingPoint = 19;

    /// <summary>
    /// Contributory exceptions (SDM vol. 3, Table 6-4): #DE, #TS, #NP, #SS, #GP. A second
    /// contributory fault while delivering one, or a contributory or page fault while delivering a
    /// #PF, becomes #DF (Table 6-5); anything else is delivered serially.
    /// </summary>
    public static bool IsContributory(byte vector) => vector is DivideError or InvalidTss or SegmentNotPresent or StackFault or GeneralProtection;

    public static bool CausesDoubleFault(byte first, byte second) =>
        (IsContributory(first) && IsContributory(second)) || (first == PageFault && (IsContributory(second) || second == PageFault));
}
