using Emulator.DeviceHost;
using Emulator.Posix;
using Microsoft.Extensions.Logging;

namespace Emulator.System.Tests;

public sealed class CompactLogFormatTests
{
    private static readonly DateTime Noon = new(2024, 5, 1, 12, 34, 56, 789, DateTimeKind.Local);

    [Fact]
    public void OneLinePerMessageWithProgramAndPid()
    {
        Assert.Equal("12:34:56.789 warn emu-x[42]: two lines\n", CompactLogFormat.Format(Noon, LogLevel.Warning, "emu-x[42]", "two\nlines", null));
        Assert.Equal("emu-x[7]", CompactLogFormat.Prefix("emu-x", 7));
        Assert.Equal(
            ["trce", "dbug", "info", "warn", "fail", "crit", "none"],
            Enum.GetValues<LogLevel>().Select(CompactLogFormat.LevelName));
    }

    [Fact]
    public void ExceptionFollowsOnItsOwnLines()
    {
        string text = CompactLogFormat.Format(Noon, LogLevel.Critical, "emu-x[1]", "device server failed", new InvalidOperationException("bug"));
        string[] lines = text.Split('\n');
        Assert.Equal("12:34:56.789 crit emu-x[1]: device server failed", lines[0]);
        Assert.StartsWith("System.InvalidOperationException: bug", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyMessagesAreSkipped()
    {
        Assert.Empty(CompactLogFormat.Format(Noon, LogLevel.Information, "p[1]", string.Empty, null));
        Assert.Empty(CompactLogFormat.Format(Noon, LogLevel.Information, "p[1]", null, null));
    }

    [Fact]
    public void TheProviderWritesEachEntryWholeToItsStream()
    {
        using var output = new MemoryStream();
        using (var provider = new CompactLoggerProvider(output, "emu-x"))
        {
            ILogger logger = provider.CreateLogger("Some.Category");
            Assert.True(logger.IsEnabled(LogLevel.Trace));
            Assert.False(logger.IsEnabled(LogLevel.None));
            logger.LogError("could not open {Path}", "/x");
            logger.Log(LogLevel.None, "never shown");
            provider.Dispose();
            logger.LogError("after dispose: dropped");
        }

        string text = global::System.Text.Encoding.UTF8.GetString(output.ToArray());
        Assert.Matches($@"^\d\d:\d\d:\d\d\.\d{{3}} fail emu-x\[{Environment.ProcessId}\]: could not open /x\n$", text);
    }

    [Fact]
    public void AWriteToAPipeNobodyReadsFailsOrIsDroppedAsAsked()
    {
        (SafeFd read, SafeFd write) = Fd.Pipe();
        read.Dispose();
        using (write)
        {
            using var strict = new DescriptorStream(write.Number);
            Assert.Throws<IOException>(() => strict.Write("lost\n"u8));
            using var bestEffort = new DescriptorStream(write.Number, dropWriteErrors: true);
            bestEffort.Write("lost\n"u8);
        }
    }

    [Fact]
    public void ADescriptorStreamWritesAtTheSharedFileOffset()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-descriptor-stream-{Guid.NewGuid():N}");
        try
        {
            using (SafeFd file = PosixFile.Open(path, OpenFlags.ReadWrite | OpenFlags.Create | OpenFlags.CloseOnExec))
            using (var stream = new DescriptorStream(file.Number))
            {
                // Another writer of the same open file (the emulator, on a shared 2>log) moved the offset first.
                Fd.WriteAll(file, "emu: first\n"u8);
                stream.Write("server: second\n"u8);
                Fd.WriteAll(file, "emu: third\n"u8);
                Assert.False(stream.CanSeek);
            }

            Assert.Equal("emu: first\nserver: second\nemu: third\n", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
