using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Emulator.Posix;

namespace Emulator.DeviceHost;

/// <summary>
/// One line per message: <c>12:34:56.789 info emu-chardev[4242]: front-end connected</c>.
/// The emulator and all its servers share one terminal's stderr; the prefix says who spoke.
/// An exception's stack trace follows on its own lines.
/// </summary>
public sealed class CompactConsoleFormatter : ConsoleFormatter
{
    public const string FormatterName = "emu-compact";

    private readonly string _prefix;

    public CompactConsoleFormatter(IOptions<CompactConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        ArgumentNullException.ThrowIfNull(options);
        _prefix = $"{options.Value.ProgramName}[{ProcessControl.CurrentId}]";
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        string? message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture));
        textWriter.Write(' ');
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(' ');
        textWriter.Write(_prefix);
        textWriter.Write(": ");
        textWriter.Write(message?.ReplaceLineEndings(" "));
        textWriter.Write('\n');
        if (logEntry.Exception is not null)
        {
            textWriter.Write(logEntry.Exception.ToString());
            textWriter.Write('\n');
        }
    }

    private static string Level(LogLevel level) => level switch
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
