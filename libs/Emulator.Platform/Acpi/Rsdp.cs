using System.Buffers.Binary;
using System.Text;

namespace Emulator.Platform;

/// <summary>The Root System Description Pointer, revision 2 (36 bytes): both checksums, RSDT and XSDT addresses.</summary>
public static class Rsdp
{
    public const int Length = 36;

    public static byte[] Build(uint rsdtAddress, ulong xsdtAddress)
    {
        var r = new byte[Length];
        Encoding.ASCII.GetBytes("RSD PTR ", r);
        Encoding.ASCII.GetBytes(AcpiTable.OemId, r.AsSpan(9, 6));
        r[15] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(16), rsdtAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(20), Length);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(24), xsdtAddress);
        r[8] = AcpiTable.Checksum(r.AsSpan(0, 20));
        r[32] = AcpiTable.Checksum(r);
        return r;
    }
}
