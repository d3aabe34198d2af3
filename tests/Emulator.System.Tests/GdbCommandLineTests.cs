using Emulator.GdbStub;
using Emulator.Options;
using Emulator.Vmm.CommandLine;

namespace Emulator.System.Tests;

public sealed class GdbCommandLineTests
{
    private static VmConfiguration Parse(params string[] args) =>
        EmulatorCommandLine.Parse(args).Configuration ?? throw new InvalidOperationException("expected a configuration");

    [Fact]
    public void SmallSIsGdbOnTcpPort1234AndGdbTakesQemusDeviceStrings()
    {
        Assert.Null(Parse().Gdb);
        Assert.Equal(new GdbEndpoint(null, 1234), Parse("-s").Gdb);
        Assert.Equal(new GdbEndpoint(null, 4321), Parse("-gdb", "tcp::4321").Gdb);
        Assert.Equal(new GdbEndpoint("127.0.0.1", 99), Parse("-gdb", "tcp:127.0.0.1:99").Gdb);
        Assert.Null(Parse("-s", "-gdb", "none").Gdb);
        Assert.True(Parse("-S", "-s").StartPaused);
    }

    [Theory]
    [InlineData("tcp:")]
    [InlineData("tcp::")]
    [InlineData("tcp::70000")]
    [InlineData("udp::1")]
    [InlineData("tcp::-1")]
    public void BadGdbDevicesAreOptionErrors(string value) =>
        Assert.Contains("-gdb", Assert.Throws<OptionsException>(() => Parse("-gdb", value)).Message, StringComparison.Ordinal);

    [Fact]
    public void LogHelpListsTheItems()
    {
        CommandLineResult help = EmulatorCommandLine.Parse(["-d", "help"]);
        Assert.Null(help.Configuration);
        Assert.Contains("guest_errors", help.Message, StringComparison.Ordinal);
        Assert.Contains("int ", help.Message, StringComparison.Ordinal);
    }
}
