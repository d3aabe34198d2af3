using Emulator.Options;
using Emulator.Platform;
using Emulator.Vmm.CommandLine;

namespace Emulator.System.Tests;

public sealed class BootCommandLineTests
{
    private static VmConfiguration Parse(params string[] args) =>
        EmulatorCommandLine.Parse(args).Configuration ?? throw new InvalidOperationException("expected a configuration");

    [Fact]
    public void BootAndDebugOptionsAreRecorded()
    {
        VmConfiguration c = Parse(
            "-bios", "b.bin", "-kernel", "k.elf", "-append", "console=x", "-initrd", "m1 a,m2", "-debugcon", "file:/tmp/d",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-no-reboot", "-no-shutdown", "-d", "int,cpu_reset,int", "-D", "/tmp/log");
        Assert.Equal(("b.bin", "k.elf", "console=x", "m1 a,m2", "file:/tmp/d"), (c.Bios, c.Kernel, c.Append, c.Initrd, c.Debugcon));
        Assert.Equal([new PortRange(0xF4, 4)], c.DebugExitDevices);
        Assert.True(c.NoReboot && c.NoShutdown);
        Assert.Equal(["int", "cpu_reset"], c.LogItems);
        Assert.Equal("/tmp/log", c.LogFile);
    }

    [Fact]
    public void IsaDebugExitHasQemusDefaults()
    {
        Assert.Equal(new PortRange(0x501, 2), DeviceOptions.ParseIsaDebugExit("isa-debug-exit"));
        Assert.Equal(new PortRange(0x10, 1), DeviceOptions.ParseIsaDebugExit("isa-debug-exit,iobase=16,iosize=1,id=x"));
    }

    [Theory]
    [InlineData("e1000")]
    [InlineData("isa-debug-exit,iobase=0x10000")]
    [InlineData("isa-debug-exit,iobase=0xffff,iosize=2")]
    [InlineData("isa-debug-exit,iosize=0")]
    [InlineData("isa-debug-exit,iobase=zz")]
    [InlineData("isa-debug-exit,bogus=1")]
    public void BadDevicesAreOptionErrors(string value) =>
        Assert.Throws<OptionsException>(() => DeviceOptions.ParseIsaDebugExit(value));

    [Fact]
    public void AppendAndInitrdNeedAKernelAsInQemu()
    {
        Assert.Equal("-append only allowed with -kernel option", Assert.Throws<OptionsException>(() => Parse("-append", "x")).Message);
        Assert.Equal("-initrd only allowed with -kernel option", Assert.Throws<OptionsException>(() => Parse("-initrd", "x")).Message);
    }

    [Fact]
    public void LogHelpListsItemsAndUnknownItemsAreErrors()
    {
        CommandLineResult help = EmulatorCommandLine.Parse(["-d", "help"]);
        Assert.Null(help.Configuration);
        Assert.StartsWith("Log items (comma separated):\n", help.Message, StringComparison.Ordinal);
        Assert.Contains("in_asm", help.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsException>(() => Parse("-d", "int,nonsense"));
    }

    [Fact]
    public void DebugconNoneMeansNoConsole() => Assert.Null(Parse("-debugcon", "none").Debugcon);

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("a", new[] { "a" })]
    [InlineData("a x=1,b", new[] { "a x=1", "b" })]
    [InlineData("a,,b,c", new[] { "a,b", "c" })]
    [InlineData(",a,", new[] { "a" })]
    public void InitrdListSplitsAtSingleCommas(string text, string[] expected) =>
        Assert.Equal(expected, InitrdList.Split(text));
}
