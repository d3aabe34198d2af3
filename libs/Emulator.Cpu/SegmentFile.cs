using System.Runtime.CompilerServices;

namespace Emulator.Cpu;

/// <summary>ES, CS, SS, DS, FS, GS, indexed by <see cref="SegmentRegister"/>.</summary>
[InlineArray(Count)]
public struct SegmentFile
{
    public const int Count = 6;

    private SegmentCache _element0;
}
