namespace Emulator.Bench.Tests;

public sealed class BlockBenchTableTests
{
    [Fact]
    public void PrintsBothFiguresAndTheRatio()
    {
        var output = new StringWriter();
        BlockBenchTable.Print(output, "qemu", [new BlockFigure("4k random read QD1, IOPS", 2000, 500), new BlockFigure("seq", null, 12.34)]);
        string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("ours/qemu", lines[0], StringComparison.Ordinal);
        Assert.Equal(["4k", "random", "read", "QD1,", "IOPS", "2000", "500", "0.25"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["seq", "-", "12.3", "-"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void SaysSoWhenThereIsNothingToPrint()
    {
        var output = new StringWriter();
        BlockBenchTable.Print(output, "qsd", []);
        Assert.Contains("no figures", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void HasNoRatioWithoutBothFigures()
    {
        Assert.Equal("-", BlockBenchTable.Ratio(new BlockFigure("x", 0, 5)));
        Assert.Equal("-", BlockBenchTable.Ratio(new BlockFigure("x", 5, null)));
        Assert.Equal("1.50", BlockBenchTable.Ratio(new BlockFigure("x", 2, 3)));
    }
}
