using System.Globalization;

namespace Emulator.Bench;

/// <summary>
/// Parses guest console lines into <see cref="ConsoleEvent"/>s. The console is hostile input (kernel
/// messages interleave with the script's output, bytes may be lost or garbled): anything that is not
/// a well-formed marker is ignored, never an exception.
/// </summary>
public static class GuestTimings
{
    public const string ReadyMarker = "EMU-GUEST-READY";
    public const string ExitMarker = "EMU-GUEST-EXIT";
    public const int MaxLineLength = 4096;
    public const int MaxNameLength = 32;
    public const int MaxTextLength = 128;

    /// <summary>Longer than any bench item could take; rejects absurd values from garbled lines.</summary>
    public const double MaxSeconds = 1e6;

    /// <summary>The marker on <paramref name="line"/>, or null if it holds none.</summary>
    public static ConsoleEvent? Parse(string? line)
    {
        if (line is null || line.Length > MaxLineLength)
        {
            return null;
        }

        // A kernel message may precede the marker on the same line, never follow it inside one write.
        string text = line.Replace("\r", "", StringComparison.Ordinal).Trim();
        int exit = text.IndexOf(ExitMarker, StringComparison.Ordinal);
        if (exit >= 0)
        {
            string status = text[(exit + ExitMarker.Length)..].Trim();
            return IsToken(status, MaxNameLength) ? new ConsoleEvent(ConsoleEventKind.Exit, "", double.NaN, status) : null;
        }

        int ready = text.IndexOf(ReadyMarker, StringComparison.Ordinal);
        if (ready >= 0)
        {
            return text.Length == ready + ReadyMarker.Length ? new ConsoleEvent(ConsoleEventKind.Ready, "", double.NaN, "") : null;
        }

        foreach (ConsoleEventKind kind in (ReadOnlySpan<ConsoleEventKind>)[ConsoleEventKind.Begin, ConsoleEventKind.Time, ConsoleEventKind.Fail, ConsoleEventKind.Output])
        {
            string prefix = Prefix(kind);
            int at = text.IndexOf(prefix, StringComparison.Ordinal);
            if (at >= 0)
            {
                return ParseNamed(kind, text[(at + prefix.Length)..]);
            }
        }

        return null;
    }

    private static string Prefix(ConsoleEventKind kind) => kind switch
    {
        ConsoleEventKind.Begin => "EMU-BEGIN ",
        ConsoleEventKind.Time => "EMU-TIME ",
        ConsoleEventKind.Fail => "EMU-FAIL ",
        _ => "EMU-OUT ",
    };

    private static ConsoleEvent? ParseNamed(ConsoleEventKind kind, string rest)
    {
        int space = rest.IndexOf(' ', StringComparison.Ordinal);
        string name = space < 0 ? rest : rest[..space];
        string value = space < 0 ? "" : rest[(space + 1)..].Trim();
        if (!IsToken(name, MaxNameLength))
        {
            return null;
        }

        switch (kind)
        {
            case ConsoleEventKind.Begin:
                return value.Length == 0 ? new ConsoleEvent(kind, name, double.NaN, "") : null;
            case ConsoleEventKind.Time:
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
                    && double.IsFinite(seconds) && seconds >= 0 && seconds < MaxSeconds
                    ? new ConsoleEvent(kind, name, seconds, "")
                    : null;
            default:
                return value.Length <= MaxTextLength && value.All(c => c >= ' ' && c < '\x7f')
                    ? new ConsoleEvent(kind, name, double.NaN, value)
                    : null;
        }
    }

    private static bool IsToken(string text, int maxLength) =>
        text.Length > 0 && text.Length <= maxLength && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
