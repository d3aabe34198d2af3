using System.Runtime.InteropServices;

namespace Emulator.Cpu;

/// <summary>One 128-bit XMM register as two little-endian quadwords (bits 0-63, bits 64-127).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct XmmRegister
{
    public ulong Low;

    public ulong High;
}
