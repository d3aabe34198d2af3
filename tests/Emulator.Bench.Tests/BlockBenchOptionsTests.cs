namespace Emulator.Bench.Tests;

public sealed class BlockBenchOptionsTests
{
    [Fact]
    public void TakesEveryOption()
    {
        BlockBenchOptions? o = BlockBenchOptions.Parse(
            ["--kernel", "k", "--initrd", "i", "--fio-cpio", "f", "--emu", "e", "--emu-block", "b", "--memory", "256", "--timeout", "60", "--no-qemu"], out string error);
        Assert.Equal("", error);
        Assert.NotNull(o);
        Assert.Equal(("k", "i", "f", "e", "b"), (o.Kernel, o.Initrd, o.FioCpio, o.Emu, o.EmuBlock));
        Assert.Equal(256, o.MemoryMiB);
        Assert.Equal(TimeSpan.FromSeconds(60), o.Timeout);
        Assert.False(o.WithQemu);
        Assert.True(o.Guest && o.Host);
    }

    [Fact]
    public void TheHostHalfAloneNeedsNoGuestFiles()
    {
        BlockBenchOptions? o = BlockBenchOptions.Parse(["--no-guest"], out _);
        Assert.NotNull(o);
        Assert.False(o.Guest);
        Assert.Equal("bin/emu-block", o.EmuBlock);
    }

    [Theory]
    [InlineData("--kernel k --initrd i")]
    [InlineData("--no-guest --no-host")]
    [InlineData("--no-guest --memory 1")]
    [InlineData("--no-guest --timeout")]
    [InlineData("--no-guest --kernel k --kernel k2")]
    [InlineData("--no-guest --what 1")]
    [InlineData("--no-guest stray")]
    public void RejectsWithAReason(string line)
    {
        Assert.Null(BlockBenchOptions.Parse(line.Split(' '), out string error));
        Assert.NotEmpty(error);
    }
}
