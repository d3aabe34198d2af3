using System.Runtime.CompilerServices;

namespace Emulator.Cpu;

/// <summary>XMM0-XMM15.</summary>
[InlineArray(Count)]
public struct XmmFile
{
    public const int Count = 16;

    private XmmRegister _element0;
}
