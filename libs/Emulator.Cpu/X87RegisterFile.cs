using System.Runtime.CompilerServices;

namespace Emulator.Cpu;

/// <summary>The x87 data registers by physical number R0-R7 (not ST(i): ST(i) is R[(TOP + i) mod 8]), as QEMU keeps them.</summary>
[InlineArray(Count)]
public struct X87RegisterFile
{
    public const int Count = 8;

    private Float80 _element0;
}
