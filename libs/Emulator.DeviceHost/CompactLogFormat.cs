using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Emulator.DeviceHost;

/// <summary>
/// One line per message: <c>12:34:56.789 info emu-chardev[4242]: front-end connected</c>.
/// The emulator and all its servers share one terminal's stderr; the prefix says who spoke.
/// An exception's stack trace follows on its own lines. Pure: the caller supplies the time.
/// </summary>
public static class CompactLogFormat
{
    /// <summary>The speaker on every line: the program name and its pid.</summary>
    public static string Prefix(string programName, int processId) =>
        string.Create(CultureInfo.InvariantCulture, $"{programName}[{processId}]");

    /// <summary>The entry's text, ending in a newline; empty when there is neither a message nor an exception.</summary>
    public static string Format(DateTime time, LogLevel level, string prefix, string? message, Exception? exception)
    {
        if (string.IsNullOrEmpty(message) && exception is null)
        {
            return string.Empty;
        }

        var text = new StringBuilder(64 + (message?.Length ?? 0));
        text.Append(time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture))
            .Append(' ')
            .Append(LevelName(level))
            .Append(' ')
            .Append(prefix)
            .Append(": ")
            .Append(message?.ReplaceLineEndings(" "))
            .Append('\n');
        if (exception is not null)
        {
            text.Append(exception.ToString()).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The four-letter level names of .NET's simple console format.</summary>
    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
