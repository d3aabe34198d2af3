using System.Text;

namespace Emulator.GdbStub;

/// <summary>The protocol's hex encodings: numbers (big-endian digits, as in addresses) and byte strings.</summary>
public static class GdbHex
{
    public static byte Digit(int value) => (byte)"0123456789abcdef"[value & 0xF];

    public static void AppendBytes(StringBuilder builder, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            builder.Append((char)Digit(b >> 4)).Append((char)Digit(b & 0xF));
        }
    }

    /// <summary>Parses an unsigned hex number of 1-16 digits; false for anything else.</summary>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 16)
        {
            return false;
        }

        foreach (char c in text)
        {
            int digit = DigitValue(c);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }

    /// <summary>Parses a byte string of exactly <c>2 * destination.Length</c> hex digits.</summary>
    public static bool TryParseBytes(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.Length != destination.Length * 2)
        {
            return false;
        }

        for (int i = 0; i < destination.Length; i++)
        {
            int high = DigitValue(text[2 * i]);
            int low = DigitValue(text[(2 * i) + 1]);
            if (high < 0 || low < 0)
            {
                return false;
            }

            destination[i] = (byte)((high << 4) | low);
        }

        return true;
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
