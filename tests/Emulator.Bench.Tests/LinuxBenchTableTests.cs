namespace Emulator.Bench.Tests;

public sealed class LinuxBenchTableTests
{
    [Fact]
    public void MedianSkipsMissingValues()
    {
        Assert.Equal(2, LinuxBenchTable.Median([3, double.NaN, 1, 2]));
        Assert.Equal(1.5, LinuxBenchTable.Median([2, 1]));
        Assert.True(double.IsNaN(LinuxBenchTable.Median([double.NaN])));
    }

    [Fact]
    public void PrintsNaForMissingFiguresAndRatiosOtherwise()
    {
        var ours = new BootResult { ReadyWall = 50, ReadyCpu = 40, GuestSeconds = new Dictionary<string, double> { ["shell"] = 10 } };
        var qemu = new BootResult { ReadyWall = 5, ReadyCpu = 4, GuestSeconds = new Dictionary<string, double> { ["shell"] = 2 }, Problem = "no exit marker" };
        var text = new StringWriter();

        LinuxBenchTable.Print(text, [ours], [qemu]);

        string[] lines = text.ToString().Split('\n');
        Assert.Contains(lines, l => l.Contains(LinuxBenchTable.BootRow, StringComparison.Ordinal) && l.Contains("10.0x", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("shell", StringComparison.Ordinal) && l.Contains("5.0x", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("gzip", StringComparison.Ordinal) && l.Contains("n/a", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("qemu boot 1: no exit marker", StringComparison.Ordinal));
    }
}
