using Emulator.Tests.Shared;

namespace Emulator.Bench.Tests;

public sealed class GuestTimingsTests
{
    [Fact]
    public void ParsesEveryMarker()
    {
        Assert.Equal(new ConsoleEvent(ConsoleEventKind.Ready, "", double.NaN, ""), GuestTimings.Parse("EMU-GUEST-READY"));
        Assert.Equal(new ConsoleEvent(ConsoleEventKind.Begin, "md5sum", double.NaN, ""), GuestTimings.Parse("EMU-BEGIN md5sum"));
        Assert.Equal(new ConsoleEvent(ConsoleEventKind.Time, "gzip", 24.5, ""), GuestTimings.Parse("EMU-TIME gzip 24.5\r"));
        Assert.Equal(new ConsoleEvent(ConsoleEventKind.Fail, "awk", double.NaN, "127"), GuestTimings.Parse("EMU-FAIL awk 127"));
        Assert.Equal(new ConsoleEvent(ConsoleEventKind.Output, "gen", double.NaN, "16777216"), GuestTimings.Parse("EMU-OUT gen 16777216"));
        Assert.Equal(new ConsoleEvent(ConsoleEventKind.Exit, "", double.NaN, "0"), GuestTimings.Parse("EMU-GUEST-EXIT 0"));
    }

    [Fact]
    public void FindsAMarkerAfterOtherConsoleOutput()
    {
        Assert.Equal(ConsoleEventKind.Ready, GuestTimings.Parse("Booting from ROM..EMU-GUEST-READY")?.Kind);
        Assert.Equal(3.25, GuestTimings.Parse("[   12.3] random: crng init done EMU-TIME shell 3.25")?.Seconds);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("EMU-TIME")]
    [InlineData("EMU-TIME shell")]
    [InlineData("EMU-TIME shell abc")]
    [InlineData("EMU-TIME shell -1")]
    [InlineData("EMU-TIME shell NaN")]
    [InlineData("EMU-TIME shell Infinity")]
    [InlineData("EMU-TIME shell 1e300")]
    [InlineData("EMU-TIME sh\u00e9ll 1")]
    [InlineData("EMU-TIME  1")]
    [InlineData("EMU-BEGIN shell extra")]
    [InlineData("EMU-GUEST-READY trailing")]
    [InlineData("EMU-GUEST-EXIT")]
    [InlineData("EMU-OUT gen bad\u0001byte")]
    [InlineData("echo \"EMU-TIME $n $(awk ...)\"")]
    public void IgnoresMalformedLines(string? line) => Assert.Null(GuestTimings.Parse(line));

    [Fact]
    public void IgnoresOverlongLinesAndNames()
    {
        Assert.Null(GuestTimings.Parse("EMU-TIME " + new string('a', GuestTimings.MaxNameLength + 1) + " 1"));
        Assert.Null(GuestTimings.Parse(new string('x', GuestTimings.MaxLineLength) + "EMU-GUEST-READY"));
        Assert.Null(GuestTimings.Parse("EMU-OUT gen " + new string('1', GuestTimings.MaxTextLength + 1)));
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomLinesNeverThrowAndKeepTheirBounds()
    {
        string[] pieces = ["EMU-", "GUEST-READY", "GUEST-EXIT", "TIME ", "BEGIN ", "FAIL ", "OUT ", "shell", " ", "1.5", "-", "e9", "\r", "\0", "\u00ff", "NaN", "."];
        var random = new Random(4321);
        int iterations = Math.Min(FuzzBudget.Iterations(20_000), 2_000_000);
        for (int i = 0; i < iterations; i++)
        {
            string line = string.Concat(Enumerable.Range(0, random.Next(0, 8)).Select(_ => random.Next(4) == 0
                ? ((char)random.Next(0, 0x3000)).ToString()
                : pieces[random.Next(pieces.Length)]));
            if (GuestTimings.Parse(line) is { } e)
            {
                Assert.True(e.Name.Length <= GuestTimings.MaxNameLength);
                Assert.True(e.Text.Length <= GuestTimings.MaxTextLength);
                Assert.True(e.Kind != ConsoleEventKind.Time || (double.IsFinite(e.Seconds) && e.Seconds >= 0 && e.Seconds < GuestTimings.MaxSeconds));
            }
        }
    }
}
