using Emulator.Tests.Shared;

namespace Emulator.Bench.Tests;

public sealed class FioFiguresTests
{
    [Fact]
    public void ParsesTheFourTerseFields()
    {
        FioFigures? f = FioFigures.Parse("39384 9846 0 0");
        Assert.Equal(new FioFigures(39384, 9846, 0, 0), f);
        Assert.Equal(39384 * 1024 / 1e6, f?.ReadMBps);
        Assert.Equal(0, f?.WriteMBps);
        Assert.Equal(new FioFigures(0, 0, 102400.5, 100), FioFigures.Parse(" 0  0 102400.5 100 "));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 2 3")]
    [InlineData("1 2 3 4 5")]
    [InlineData("1 2 -3 4")]
    [InlineData("1 2 NaN 4")]
    [InlineData("1 Infinity 3 4")]
    [InlineData("1 2 1e5 4")]
    [InlineData("1 2 99999999999999 4")]
    [InlineData("a b c d")]
    public void RejectsAnythingElse(string text) => Assert.Null(FioFigures.Parse(text));

    [Fact]
    public void ComesThroughTheConsoleMarker()
    {
        ConsoleEvent? e = GuestTimings.Parse("[   12.3] random: crng init done EMU-OUT randread 1200 300 0 0");
        Assert.Equal(ConsoleEventKind.Output, e?.Kind);
        Assert.Equal("randread", e?.Name);
        Assert.Equal(300, FioFigures.Parse(e?.Text)?.ReadIops);
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomTextNeverThrowsAndGivesOnlyBoundedFigures()
    {
        string[] pieces = ["0", "1", "9", ".", " ", "-", "e", "NaN", "Infinity", "\t", "\u00a0", "12345678901234567890"];
        var random = new Random(1234);
        int iterations = Math.Min(FuzzBudget.Iterations(20_000), 2_000_000);
        for (int i = 0; i < iterations; i++)
        {
            string text = string.Concat(Enumerable.Range(0, random.Next(0, 16)).Select(_ => random.Next(8) == 0
                ? ((char)random.Next(0, 0x3000)).ToString()
                : pieces[random.Next(pieces.Length)]));
            if (FioFigures.Parse(text) is { } f)
            {
                foreach (double v in (double[])[f.ReadKiBps, f.ReadIops, f.WriteKiBps, f.WriteIops])
                {
                    Assert.True(double.IsFinite(v) && v >= 0 && v <= FioFigures.MaxValue);
                }
            }
        }
    }
}
