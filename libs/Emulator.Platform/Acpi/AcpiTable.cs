using System.Buffers.Binary;
using System.Text;

namespace Emulator.Platform;

/// <summary>The 36-byte system description table header (ACPI 6.x 5.2.6) and the byte checksum every table carries.</summary>
public static class AcpiTable
{
    public const int HeaderLength = 36;
    public const string OemId = "EMU   ";
    public const string OemTableId = "EMUPC   ";
    public const string CreatorId = "EMU ";

    /// <summary>A table: header with <paramref name="signature"/> and <paramref name="revision"/>, then <paramref name="body"/>, checksummed.</summary>
    public static byte[] Build(string signature, byte revision, ReadOnlySpan<byte> body)
    {
        if (signature.Length != 4)
        {
            throw new ArgumentException($"an ACPI signature has four characters: '{signature}'", nameof(signature));
        }

        var table = new byte[HeaderLength + body.Length];
        Encoding.ASCII.GetBytes(signature, table.AsSpan(0, 4));
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4), (uint)table.Length);
        table[8] = revision;
        Encoding.ASCII.GetBytes(OemId, table.AsSpan(10, 6));
        Encoding.ASCII.GetBytes(OemTableId, table.AsSpan(16, 8));
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(24), 1);
        Encoding.ASCII.GetBytes(CreatorId, table.AsSpan(28, 4));
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(32), 1);
        body.CopyTo(table.AsSpan(HeaderLength));
        table[9] = Checksum(table);
        return table;
    }

    /// <summary>The byte that makes <paramref name="bytes"/> (with that byte counted as zero) sum to zero mod 256.</summary>
    public static byte Checksum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (byte b in bytes)
        {
            sum += b;
        }

        return (byte)-sum;
    }

    /// <summary>True when <paramref name="bytes"/> sum to zero mod 256.</summary>
    public static bool ChecksumIsValid(ReadOnlySpan<byte> bytes) => Checksum(bytes) == 0;

    /// <summary>A Generic Address Structure (12 bytes) in system I/O space.</summary>
    public static void WriteIoAddress(Span<byte> destination, ushort port, byte bitWidth, byte accessSize)
    {
        destination[0] = 1;
        destination[1] = bitWidth;
        destination[2] = 0;
        destination[3] = accessSize;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], port);
    }
}
