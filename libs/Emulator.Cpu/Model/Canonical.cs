namespace Emulator.Cpu;

/// <summary>48-bit canonical addresses (Intel SDM vol. 1, 3.3.7.1): bits 63:47 all equal.</summary>
public static class Canonical
{
    public static bool Is(ulong address) => ((long)(address << 16) >> 16) == (long)address;
}
