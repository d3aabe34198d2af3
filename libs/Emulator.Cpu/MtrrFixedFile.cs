using System.Runtime.CompilerServices;

namespace Emulator.Cpu;

/// <summary>The fixed-range MTRRs in MSR order: FIX64K_00000, FIX16K_80000, FIX16K_A0000, FIX4K_C0000 ... FIX4K_F8000.</summary>
[InlineArray(Count)]
public struct MtrrFixedFile
{
    public const int Count = 11;

    private ulong _element0;
}
