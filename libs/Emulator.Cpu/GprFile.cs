using System.Runtime.CompilerServices;

namespace Emulator.Cpu;

/// <summary>The 16 general-purpose registers, indexed by <see cref="GeneralRegister"/>: an inline array, so it lives inside <see cref="CpuState"/> with no reference.</summary>
[InlineArray(Count)]
public struct GprFile
{
    public const int Count = 16;

    private ulong _element0;
}
