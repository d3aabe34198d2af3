using System.Runtime.InteropServices;

namespace Emulator.Cpu;

/// <summary>One variable-range MTRR pair: IA32_MTRR_PHYSBASEn and IA32_MTRR_PHYSMASKn.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct MtrrVariableRange
{
    public ulong Base;

    public ulong Mask;
}
