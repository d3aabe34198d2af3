namespace Emulator.Bench.Tests;

public sealed class LinuxBenchOptionsTests
{
    [Fact]
    public void ParsesEveryOption()
    {
        LinuxBenchOptions? options = LinuxBenchOptions.Parse(
            ["--kernel", "k", "--initrd", "i", "--emu", "e", "--runs", "3", "--memory", "1024", "--timeout", "60", "--no-qemu"], out string error);

        Assert.Equal("", error);
        Assert.NotNull(options);
        Assert.Equal(("k", "i", "e", 3, 1024, TimeSpan.FromSeconds(60), false),
            (options.Kernel, options.Initrd, options.Emu, options.Runs, options.MemoryMiB, options.Timeout, options.WithQemu));
    }

    [Fact]
    public void DefaultsToOneBootOfEachWith512MiB()
    {
        LinuxBenchOptions? options = LinuxBenchOptions.Parse(["--kernel", "k", "--initrd", "i"], out _);

        Assert.NotNull(options);
        Assert.Equal(("bin/emu", 1, 512, true), (options.Emu, options.Runs, options.MemoryMiB, options.WithQemu));
    }

    [Theory]
    [InlineData("--initrd", "i")]
    [InlineData("--kernel", "k", "--initrd")]
    [InlineData("--kernel", "k", "--initrd", "i", "--runs", "0")]
    [InlineData("--kernel", "k", "--initrd", "i", "--runs", "-1")]
    [InlineData("--kernel", "k", "--initrd", "i", "--runs", "99999999999")]
    [InlineData("--kernel", "k", "--initrd", "i", "--bogus", "1")]
    [InlineData("--kernel", "", "--initrd", "i")]
    [InlineData("stray")]
    public void RefusesBadCommandLinesWithAReason(params string[] args)
    {
        Assert.Null(LinuxBenchOptions.Parse(args, out string error));
        Assert.NotEqual("", error);
    }
}
