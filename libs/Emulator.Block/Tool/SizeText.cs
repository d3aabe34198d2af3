using System.Globalization;

namespace Emulator.Block;

/// <summary>Sizes as qemu-img reads them ("64M", "1.5G", "4096") and prints them ("64 MiB").</summary>
public static class SizeText
{
    private const string Suffixes = "BKMGTPE";
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>Parses a size with an optional binary suffix (k, M, G, T, P, E; b for bytes); null when invalid.</summary>
    public static ulong? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return null;
        }

        int shift = 0;
        string number = text;
        int unit = Suffixes.IndexOf(char.ToUpperInvariant(text[^1]), StringComparison.Ordinal);
        if (unit >= 0)
        {
            shift = unit * 10;
            number = text[..^1];
        }

        if (number.Length == 0 || !number.All(c => char.IsAsciiDigit(c) || c == '.')
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            return null;
        }

        // Bounded before multiplying: a huge number times an exabyte overflows even a decimal.
        if (value > (decimal)((ulong.MaxValue / 2) >> shift))
        {
            return null;
        }

        decimal bytes = value * (1UL << shift);
        return bytes > ulong.MaxValue / 2 || bytes != decimal.Truncate(bytes) ? null : (ulong)bytes;
    }

    /// <summary>QEMU's size_to_str ("%0.3g" in the largest unit that keeps the number under 1000).</summary>
    public static string Format(ulong bytes)
    {
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        string digits = value >= 100 ? "0" : value >= 10 ? "0.#" : value >= 1 ? "0.##" : "0.###";
        return $"{value.ToString(digits, CultureInfo.InvariantCulture)} {Units[unit]}";
    }
}
