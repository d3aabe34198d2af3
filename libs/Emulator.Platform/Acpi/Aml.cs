using System.Text;

namespace Emulator.Platform;

/// <summary>
/// A small AML encoder (ACPI 6.x section 20): each method returns the bytes of one term, and
/// callers compose them. Pure: no state, so a DSDT is a deterministic function of its inputs.
/// </summary>
public static class Aml
{
    private const byte ZeroOp = 0x00;
    private const byte OneOp = 0x01;
    private const byte NameOp = 0x08;
    private const byte BytePrefix = 0x0A;
    private const byte WordPrefix = 0x0B;
    private const byte DWordPrefix = 0x0C;
    private const byte StringPrefix = 0x0D;
    private const byte QWordPrefix = 0x0E;
    private const byte ScopeOp = 0x10;
    private const byte BufferOp = 0x11;
    private const byte PackageOp = 0x12;
    private const byte MethodOp = 0x14;
    private const byte ExtOpPrefix = 0x5B;
    private const byte DeviceOp = 0x82;
    private const byte ReturnOp = 0xA4;

    /// <summary>The largest length a PkgLength can express (28 bits).</summary>
    public const int MaxPackageLength = (1 << 28) - 1;

    /// <summary>An integer in the shortest encoding: ZeroOp, OneOp, or a byte/word/dword/qword constant.</summary>
    public static byte[] Integer(ulong value) => value switch
    {
        0 => [ZeroOp],
        1 => [OneOp],
        <= 0xFF => [BytePrefix, (byte)value],
        <= 0xFFFF => [WordPrefix, (byte)value, (byte)(value >> 8)],
        <= 0xFFFF_FFFF => [DWordPrefix, .. LittleEndian(value, 4)],
        _ => [QWordPrefix, .. LittleEndian(value, 8)],
    };

    /// <summary>A string constant (ASCII 0x01-0x7F, NUL-terminated).</summary>
    public static byte[] String(string value)
    {
        foreach (char c in value)
        {
            if (c is < (char)1 or > (char)0x7F)
            {
                throw new ArgumentException($"AML strings are ASCII without NUL: '{value}'", nameof(value));
            }
        }

        return [StringPrefix, .. Encoding.ASCII.GetBytes(value), 0];
    }

    /// <summary>A compressed EISA id (as ASL's EISAID("PNP0A03")), as a dword integer.</summary>
    public static byte[] EisaId(string id) => Integer(EisaIdValue(id));

    public static uint EisaIdValue(string id)
    {
        if (id.Length != 7 || !char.IsAsciiLetterUpper(id[0]) || !char.IsAsciiLetterUpper(id[1]) || !char.IsAsciiLetterUpper(id[2])
            || !id[3..].All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"an EISA id is three capital letters and four hex digits: '{id}'", nameof(id));
        }

        uint c0 = (uint)(id[0] - '@'), c1 = (uint)(id[1] - '@'), c2 = (uint)(id[2] - '@');
        uint b0 = (c0 << 2) | (c1 >> 3);
        uint b1 = ((c1 & 7) << 5) | c2;
        uint b2 = Convert.ToUInt32(id[3..5], 16);
        uint b3 = Convert.ToUInt32(id[5..7], 16);
        return b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
    }

    /// <summary>
    /// A NameString: an optional root (<c>\</c>) or parent (<c>^</c>) prefix, then dot-separated
    /// segments of up to four characters (padded with <c>_</c>).
    /// </summary>
    public static byte[] NameString(string path)
    {
        var bytes = new List<byte>();
        int i = 0;
        if (path.StartsWith('\\'))
        {
            bytes.Add((byte)'\\');
            i = 1;
        }
        else
        {
            while (i < path.Length && path[i] == '^')
            {
                bytes.Add((byte)'^');
                i++;
            }
        }

        string rest = path[i..];
        string[] segments = rest.Length == 0 ? [] : rest.Split('.');
        switch (segments.Length)
        {
            case 0:
                bytes.Add(0);
                break;
            case 1:
                break;
            case 2:
                bytes.Add(0x2E);
                break;
            default:
                if (segments.Length > 255)
                {
                    throw new ArgumentException($"too many name segments: '{path}'", nameof(path));
                }

                bytes.Add(0x2F);
                bytes.Add((byte)segments.Length);
                break;
        }

        foreach (string segment in segments)
        {
            bytes.AddRange(NameSeg(segment, path));
        }

        return [.. bytes];
    }

    /// <summary>PkgLength for a body of <paramref name="bodyLength"/> bytes: the encoded length counts its own bytes.</summary>
    public static byte[] PackageLength(int bodyLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bodyLength);
        if (bodyLength + 1 <= 0x3F)
        {
            return [(byte)(bodyLength + 1)];
        }

        for (int extra = 1; extra <= 3; extra++)
        {
            int total = bodyLength + 1 + extra;
            if (total < 1 << (4 + (8 * extra)))
            {
                var bytes = new byte[1 + extra];
                bytes[0] = (byte)((extra << 6) | (total & 0xF));
                for (int b = 1; b <= extra; b++)
                {
                    bytes[b] = (byte)(total >> (4 + (8 * (b - 1))));
                }

                return bytes;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(bodyLength), bodyLength, "an AML package cannot exceed 2^28 bytes");
    }

    public static byte[] Name(string name, byte[] value) => [NameOp, .. NameString(name), .. value];

    public static byte[] Scope(string name, params byte[][] terms) => Packaged([ScopeOp], [.. NameString(name), .. Concat(terms)]);

    public static byte[] Device(string name, params byte[][] terms) => Packaged([ExtOpPrefix, DeviceOp], [.. NameString(name), .. Concat(terms)]);

    /// <summary>A method with <paramref name="argumentCount"/> (0-7) arguments, not serialized, sync level 0.</summary>
    public static byte[] Method(string name, int argumentCount, params byte[][] terms)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(argumentCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(argumentCount, 7);
        return Packaged([MethodOp], [.. NameString(name), (byte)argumentCount, .. Concat(terms)]);
    }

    public static byte[] Return(byte[] value) => [ReturnOp, .. value];

    /// <summary>A package of data objects (at most 255 elements, as PackageOp allows).</summary>
    public static byte[] Package(params byte[][] elements)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elements.Length, 255);
        return Packaged([PackageOp], [(byte)elements.Length, .. Concat(elements)]);
    }

    public static byte[] Buffer(ReadOnlySpan<byte> contents) =>
        Packaged([BufferOp], [.. Integer((ulong)contents.Length), .. contents]);

    public static byte[] Concat(params byte[][] terms)
    {
        var result = new byte[terms.Sum(t => t.Length)];
        int at = 0;
        foreach (byte[] term in terms)
        {
            term.CopyTo(result, at);
            at += term.Length;
        }

        return result;
    }

    private static byte[] Packaged(byte[] opcode, byte[] body) => [.. opcode, .. PackageLength(body.Length), .. body];

    private static byte[] NameSeg(string segment, string path)
    {
        if (segment.Length is 0 or > 4 || !(char.IsAsciiLetterUpper(segment[0]) || segment[0] == '_')
            || !segment.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"bad AML name segment '{segment}' in '{path}'", nameof(path));
        }

        return Encoding.ASCII.GetBytes(segment.PadRight(4, '_'));
    }

    private static byte[] LittleEndian(ulong value, int size)
    {
        var bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = (byte)(value >> (8 * i));
        }

        return bytes;
    }
}
