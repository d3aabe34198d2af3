namespace Emulator.Cpu;

/// <summary>IA32_APIC_BASE (MSR 1Bh): the local APIC's physical base and its two flag bits.</summary>
public static class ApicBaseBits
{
    /// <summary>This processor is the bootstrap processor.</summary>
    public const ulong Bsp = 1UL << 8;

    /// <summary>The local APIC is enabled (xAPIC mode).</summary>
    public const ulong Enable = 1UL << 11;

    /// <summary>The architectural default base, 0xFEE00000.</summary>
    public const ulong DefaultBase = 0xFEE0_0000;
}
