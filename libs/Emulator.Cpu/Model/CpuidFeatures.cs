namespace Emulator.Cpu;

/// <summary>CPUID feature bits by leaf and register (Intel SDM vol. 2A, CPUID; AMD APM vol. 3, appendix E).</summary>
public static class CpuidFeatures
{
    // Leaf 1, EDX.
    public const uint Fpu = 1u << 0;
    public const uint Vme = 1u << 1;
    public const uint De = 1u << 2;
    public const uint Pse = 1u << 3;
    public const uint Tsc = 1u << 4;
    public const uint Msr = 1u << 5;
    public const uint Pae = 1u << 6;
    public const uint Mce = 1u << 7;
    public const uint Cx8 = 1u << 8;
    public const uint Apic = 1u << 9;
    public const uint Sep = 1u << 11;
    public const uint Mtrr = 1u << 12;
    public const uint Pge = 1u << 13;
    public const uint Mca = 1u << 14;
    public const uint Cmov = 1u << 15;
    public const uint Pat = 1u << 16;
    public const uint Pse36 = 1u << 17;
    public const uint Clflush = 1u << 19;
    public const uint Mmx = 1u << 23;
    public const uint Fxsr = 1u << 24;
    public const uint Sse = 1u << 25;
    public const uint Sse2 = 1u << 26;

    // Leaf 1, ECX.
    public const uint Sse3 = 1u << 0;
    public const uint Ssse3 = 1u << 9;
    public const uint Cx16 = 1u << 13;
    public const uint Popcnt = 1u << 23;
    public const uint TscDeadline = 1u << 24;
    public const uint Hypervisor = 1u << 31;

    // Leaf 8000_0001h, EDX.
    public const uint Syscall = 1u << 11;
    public const uint Nx = 1u << 20;
    public const uint Rdtscp = 1u << 27;
    public const uint LongMode = 1u << 29;

    // Leaf 8000_0001h, ECX.
    public const uint LahfLm = 1u << 0;

    /// <summary>
    /// The leaf-1 EDX bits AMD repeats in leaf 8000_0001h EDX (QEMU's CPUID_EXT2_AMD_ALIASES,
    /// applied for an AMD vendor).
    /// </summary>
    public const uint AmdAliases = Fpu | Vme | De | Pse | Tsc | Msr | Pae | Mce | Cx8 | Apic | Mtrr | Pge | Mca | Cmov | Pat | Pse36 | Mmx | Fxsr;
}
