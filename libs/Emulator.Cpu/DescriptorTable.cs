using System.Runtime.InteropServices;

namespace Emulator.Cpu;

/// <summary>GDTR or IDTR: a linear base and a byte limit. 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct DescriptorTable
{
    public ulong Base;

    public uint Limit;
}
