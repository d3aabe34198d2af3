using System.Globalization;

namespace Emulator.Bench;

/// <summary>
/// What one fio job measured, as the bench guest prints it after <c>EMU-OUT name</c>: read KiB/s, read IOPS,
/// write KiB/s, write IOPS (fields 7, 8, 48 and 49 of fio's terse v3 line, picked out in the guest so the
/// console line stays short).
/// </summary>
public sealed record FioFigures(double ReadKiBps, double ReadIops, double WriteKiBps, double WriteIops)
{
    /// <summary>Far beyond any emulated disk; rejects garbled digits.</summary>
    public const double MaxValue = 1e12;

    public double ReadMBps => ReadKiBps * 1024 / 1e6;

    public double WriteMBps => WriteKiBps * 1024 / 1e6;

    /// <summary>The figures in <paramref name="text"/>, or null unless it is exactly four finite non-negative numbers.</summary>
    public static FioFigures? Parse(string? text)
    {
        if (text is null || text.Length > GuestTimings.MaxTextLength)
        {
            return null;
        }

        string[] words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 4)
        {
            return null;
        }

        double[] values = new double[4];
        for (int i = 0; i < 4; i++)
        {
            if (!double.TryParse(words[i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]) || values[i] > MaxValue)
            {
                return null;
            }
        }

        return new FioFigures(values[0], values[1], values[2], values[3]);
    }
}
