using Emulator.DeviceHost;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emulator.System.Tests;

public sealed class CompactConsoleFormatterTests
{
    private static string Format(LogLevel level, string message, Exception? exception = null)
    {
        var formatter = new CompactConsoleFormatter(Microsoft.Extensions.Options.Options.Create(new CompactConsoleFormatterOptions { ProgramName = "emu-x" }));
        var writer = new StringWriter();
        var entry = new LogEntry<string>(level, "Some.Category", new EventId(0), message, exception, (state, _) => state);
        formatter.Write(entry, null, writer);
        return writer.ToString();
    }

    [Fact]
    public void OneLinePerMessageWithProgramAndPid()
    {
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} warn emu-x\[\d+\]: two lines\n$", Format(LogLevel.Warning, "two\nlines"));
        Assert.Contains(" info emu-x[", Format(LogLevel.Information, "m"), StringComparison.Ordinal);
        Assert.Contains(" fail emu-x[", Format(LogLevel.Error, "m"), StringComparison.Ordinal);
    }

    [Fact]
    public void ExceptionFollowsOnItsOwnLines()
    {
        string text = Format(LogLevel.Critical, "device server failed", new InvalidOperationException("bug"));
        string[] lines = text.Split('\n');
        Assert.EndsWith("crit emu-x[" + Environment.ProcessId + "]: device server failed", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("System.InvalidOperationException: bug", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyMessagesAreSkipped()
    {
        Assert.Empty(Format(LogLevel.Information, string.Empty));
    }
}
