using Emulator.Vmm;

namespace Emulator.System.Tests;

public sealed class HumanMonitorTests
{
    private const string HelpAll =
        "cont|c  -- resume emulation\n"
        + "help|? [cmd] -- show the help\n"
        + "info [subcommand] -- show various information about the system state\n"
        + "quit|q  -- quit the emulator\n"
        + "stop|s  -- stop emulation\n"
        + "system_reset  -- reset the system\n";

    private const string HelpInfo =
        "info registers  -- show the cpu registers\n"
        + "info status  -- show the current VM status (running|paused)\n";

    private readonly FakeVm _vm = new();
    private readonly HumanMonitor _monitor;

    public HumanMonitorTests()
    {
        _monitor = new HumanMonitor(_vm);
    }

    private string Run(string line) => _monitor.Execute(line).Output;

    [Theory]
    [InlineData("help")]
    [InlineData("?")]
    [InlineData("  help  ")]
    public void HelpListsEveryCommandSortedLikeQemu(string line)
    {
        Assert.Equal(HelpAll, Run(line));
    }

    [Theory]
    [InlineData("help info", HelpInfo)]
    [InlineData("info", HelpInfo)]
    [InlineData("help stop", "stop|s  -- stop emulation\n")]
    [InlineData("help c", "cont|c  -- resume emulation\n")]
    [InlineData("help info status", "info status  -- show the current VM status (running|paused)\n")]
    [InlineData("help nope", "unknown command: 'nope'\n")]
    [InlineData("help info nope", "unknown command: 'info nope'\n")]
    public void HelpForOneCommandOrTable(string line, string expected)
    {
        Assert.Equal(expected, Run(line));
    }

    [Theory]
    [InlineData(RunState.Running, "VM status: running\n")]
    [InlineData(RunState.Paused, "VM status: paused\n")]
    [InlineData(RunState.Prelaunch, "VM status: paused (prelaunch)\n")]
    [InlineData(RunState.Debug, "VM status: paused (debug)\n")]
    [InlineData(RunState.Shutdown, "VM status: paused (shutdown)\n")]
    [InlineData(RunState.InternalError, "VM status: paused (internal-error)\n")]
    [InlineData(RunState.GuestPanicked, "VM status: paused (guest-panicked)\n")]
    public void InfoStatus(RunState state, string expected)
    {
        _vm.State = state;
        Assert.Equal(expected, Run("info status"));
    }

    [Fact]
    public void InfoRegistersEndsWithANewline()
    {
        Assert.Equal("RAX=0000000000000000 RBX=0000000000000000\nRIP=000000000000fff0\n", Run("info registers"));
        _vm.Registers = "R\n";
        Assert.Equal("R\n", Run("info   registers"));
    }

    [Fact]
    public void StopAndContChangeTheRunStateSilently()
    {
        Assert.Equal(string.Empty, Run("stop"));
        Assert.Equal("VM status: paused\n", Run("info status"));
        Assert.Equal(string.Empty, Run("cont"));
        Assert.Equal("VM status: running\n", Run("info status"));
        Assert.Equal(string.Empty, Run("s"));
        Assert.Equal(string.Empty, Run("c"));
        Assert.Equal(["pause", "resume", "pause", "resume"], _vm.Calls);
    }

    [Fact]
    public void SystemResetResets()
    {
        Assert.Equal(MonitorReply.Empty, _monitor.Execute("system_reset"));
        Assert.Equal(["reset"], _vm.Calls);
    }

    [Theory]
    [InlineData("quit")]
    [InlineData("q")]
    public void QuitEndsTheSessionAndAsksTheVmToExit(string line)
    {
        Assert.Equal(new MonitorReply(string.Empty, true), _monitor.Execute(line));
        Assert.Equal(["quit"], _vm.Calls);
    }

    [Theory]
    [InlineData("foo", "unknown command: 'foo'\n")]
    [InlineData("  foo bar", "unknown command: 'foo'\n")]
    [InlineData("info foo", "unknown command: 'info foo'\n")]
    [InlineData("Stop", "unknown command: 'Stop'\n")]
    public void UnknownCommands(string line, string expected)
    {
        Assert.Equal(expected, Run(line));
        Assert.Empty(_vm.Calls);
    }

    [Theory]
    [InlineData("stop now", "stop|s: extraneous characters at the end of line\nTry \"help stop\" for more information\n")]
    [InlineData("c 1", "cont|c: extraneous characters at the end of line\nTry \"help c\" for more information\n")]
    [InlineData("info status x", "status: extraneous characters at the end of line\nTry \"help info status\" for more information\n")]
    [InlineData("stop/x", "stop|s: extraneous characters at the end of line\nTry \"help stop\" for more information\n")]
    public void ArgumentsToCommandsThatTakeNoneAreRejected(string line, string expected)
    {
        Assert.Equal(expected, Run(line));
        Assert.Empty(_vm.Calls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t")]
    public void BlankLinesDoNothing(string line)
    {
        Assert.Equal(MonitorReply.Empty, _monitor.Execute(line));
    }

    [Theory]
    [InlineData(RunState.Shutdown)]
    [InlineData(RunState.InternalError)]
    [InlineData(RunState.GuestPanicked)]
    public void ContAfterAFatalStateNeedsAReset(RunState state)
    {
        _vm.State = state;
        Assert.Equal("Error: Resetting the Virtual Machine is required\n", Run("cont"));
        Assert.Empty(_vm.Calls);
    }

    [Fact]
    public void RefusalsArePrintedAsErrors()
    {
        _vm.Refusal = "vCPU is not responding";
        Assert.Equal("Error: vCPU is not responding\n", Run("stop"));
        Assert.Equal("Error: vCPU is not responding\n", Run("system_reset"));
    }
}
