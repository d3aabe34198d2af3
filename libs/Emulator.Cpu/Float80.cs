using System.Runtime.InteropServices;

namespace Emulator.Cpu;

/// <summary>
/// An x87 register's raw 80-bit extended-precision bits, in a 16-byte slot as FXSAVE stores
/// them: the 64-bit significand (explicit integer bit 63) and the sign with the 15-bit exponent.
/// Arithmetic is a software float elsewhere; .NET has no 80-bit type.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Float80
{
    public ulong Significand;

    /// <summary>Bit 15 is the sign, bits 0-14 the biased exponent.</summary>
    public ushort SignExponent;
}
