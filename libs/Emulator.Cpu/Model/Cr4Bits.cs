namespace Emulator.Cpu;

/// <summary>CR4 bits beyond the paging ones in <see cref="Cr4PagingBits"/> (Intel SDM vol. 3, 2.5).</summary>
public static class Cr4Bits
{
    public const ulong VME = 1UL << 0;
    public const ulong PVI = 1UL << 1;
    public const ulong TSD = 1UL << 2;
    public const ulong DE = 1UL << 3;
    public const ulong MCE = 1UL << 6;
    public const ulong PCE = 1UL << 8;
    public const ulong OSFXSR = 1UL << 9;
    public const ulong OSXMMEXCPT = 1UL << 10;
}
