using Microsoft.Extensions.Logging.Console;

namespace Emulator.DeviceHost;

/// <summary>Options of <see cref="CompactConsoleFormatter"/>.</summary>
public sealed class CompactConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>Shown on every line with our pid, so interleaved logs of several servers stay readable.</summary>
    public string ProgramName { get; set; } = "device-server";
}
