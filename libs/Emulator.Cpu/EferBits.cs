namespace Emulator.Cpu;

/// <summary>IA32_EFER bits (MSR C000_0080h).</summary>
public static class EferBits
{
    public const ulong SCE = 1UL << 0;
    public const ulong LME = 1UL << 8;

    /// <summary>Long mode active: set by the processor when paging is enabled with LME.</summary>
    public const ulong LMA = 1UL << 10;

    public const ulong NXE = 1UL << 11;
}
