using System.Buffers.Binary;
using System.Text;

namespace Emulator.Platform;

/// <summary>The Firmware ACPI Control Structure (64 bytes, version 2, no checksum); it must be 64-byte aligned.</summary>
public static class Facs
{
    public const int Length = 64;

    public static byte[] Build()
    {
        var t = new byte[Length];
        Encoding.ASCII.GetBytes("FACS", t);
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(4), Length);
        t[32] = 2;
        return t;
    }
}
