using System.Text;

namespace Emulator.Bench.Tests;

public sealed class BlockGuestScriptTests
{
    [Fact]
    public void RunsEveryJobWithDirectIoAndReportsIt()
    {
        string script = BlockGuestScript.Script;
        Assert.Contains("--direct=1", script, StringComparison.Ordinal);
        Assert.Contains("EMU-OUT $n", script, StringComparison.Ordinal);
        foreach (BlockGuestJob job in BlockGuestScript.Jobs)
        {
            Assert.Contains($"f {job.Name} {job.FioArguments}\n", script, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheCommandLineCarriesTheScriptAsOneWord()
    {
        string append = BlockGuestScript.Append;
        string word = Assert.Single(append.Split(' '), w => w.StartsWith("emu.run64=", StringComparison.Ordinal));
        Assert.Equal(BlockGuestScript.Script, Encoding.UTF8.GetString(Convert.FromBase64String(word["emu.run64=".Length..])));
    }

    [Fact]
    public void EachJobTakesItsOwnFigure()
    {
        var figures = new FioFigures(1000, 250, 2000, 2);
        Assert.Equal([2000 * 1024 / 1e6, 1000 * 1024 / 1e6, 250], BlockGuestScript.Jobs.Select(j => j.Value(figures) ?? -1));
        Assert.All(BlockGuestScript.Jobs, j => Assert.Null(j.Value(null)));
    }
}
