using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>The RSDT (32-bit entries) and XSDT (64-bit entries) listing the other tables (the FADT first, as ACPICA expects).</summary>
public static class RootTables
{
    public static byte[] BuildRsdt(IReadOnlyList<uint> tables)
    {
        var b = new byte[4 * tables.Count];
        for (int i = 0; i < tables.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4 * i), tables[i]);
        }

        return AcpiTable.Build("RSDT", 1, b);
    }

    public static byte[] BuildXsdt(IReadOnlyList<ulong> tables)
    {
        var b = new byte[8 * tables.Count];
        for (int i = 0; i < tables.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8 * i), tables[i]);
        }

        return AcpiTable.Build("XSDT", 1, b);
    }
}
