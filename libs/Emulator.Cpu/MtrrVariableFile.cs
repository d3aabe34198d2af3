using System.Runtime.CompilerServices;

namespace Emulator.Cpu;

/// <summary>The variable-range MTRR pairs (QEMU advertises 8 in IA32_MTRRCAP.VCNT).</summary>
[InlineArray(Count)]
public struct MtrrVariableFile
{
    public const int Count = 8;

    private MtrrVariableRange _element0;
}
