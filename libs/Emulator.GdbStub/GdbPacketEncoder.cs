namespace Emulator.GdbStub;

/// <summary>
/// Frames a reply as <c>$data#xx</c>, escaping the bytes the framing gives meaning to
/// (<c>$ # } *</c>) so binary data (qXfer, memory) passes unchanged. No run-length encoding: it is
/// optional for the sender.
/// </summary>
public static class GdbPacketEncoder
{
    /// <summary>The framed size of <paramref name="payload"/>, at most 2 * length + 4.</summary>
    public static int FramedLength(ReadOnlySpan<byte> payload)
    {
        int length = 4;
        foreach (byte b in payload)
        {
            length += NeedsEscape(b) ? 2 : 1;
        }

        return length;
    }

    /// <summary>Writes the framed packet into <paramref name="destination"/> (at least <see cref="FramedLength"/> bytes); returns its length.</summary>
    public static int Encode(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        int at = 0;
        byte sum = 0;
        destination[at++] = (byte)'$';
        foreach (byte b in payload)
        {
            if (NeedsEscape(b))
            {
                destination[at++] = (byte)'}';
                destination[at++] = (byte)(b ^ 0x20);
                sum += (byte)('}' + (b ^ 0x20));
            }
            else
            {
                destination[at++] = b;
                sum += b;
            }
        }

        destination[at++] = (byte)'#';
        destination[at++] = GdbHex.Digit(sum >> 4);
        destination[at++] = GdbHex.Digit(sum & 0xF);
        return at;
    }

    public static byte[] Encode(ReadOnlySpan<byte> payload)
    {
        byte[] framed = new byte[FramedLength(payload)];
        Encode(payload, framed);
        return framed;
    }

    private static bool NeedsEscape(byte value) => value is (byte)'$' or (byte)'#' or (byte)'}' or (byte)'*';
}
