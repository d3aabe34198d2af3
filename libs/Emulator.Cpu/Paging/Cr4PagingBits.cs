namespace Emulator.Cpu;

/// <summary>The CR4 bits paging reads (Intel SDM vol. 3, 2.5 "Control Registers").</summary>
public static class Cr4PagingBits
{
    public const ulong PSE = 1UL << 4;
    public const ulong PAE = 1UL << 5;
    public const ulong PGE = 1UL << 7;
    public const ulong SMEP = 1UL << 20;
    public const ulong SMAP = 1UL << 21;
}
