using System.Net.Sockets;
using Emulator.Posix;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>The whole <c>bin/emu</c>, with its chardev servers, driven from a terminal or a socket.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class EmulatorEndToEndTests
{
    private const byte CtrlA = 0x01;

    [Fact(Timeout = Patience.TestMs)]
    public async Task NographicMuxSwitchesToTheMonitorAndCtrlAXQuits()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        using var pty = new PtyTerminal();
        using var emu = EmuRun.Start(scratch, pty.SlavePath, "-nographic");
        emu.WaitForServer("serial0");
        pty.WaitForMode(m => (m.LocalFlags & TerminalFlags.ICANON) == 0, "raw");

        pty.Type([CtrlA, (byte)'c']);
        int at = pty.WaitFor("monitor - type 'help' for more information");
        at = pty.WaitFor("(qemu) ", at);
        pty.Type("info status\r");
        pty.WaitFor("VM status: running", at);

        pty.Type([CtrlA, (byte)'x']);
        pty.WaitFor("QEMU: Terminated");
        Assert.Equal(0, emu.WaitForExit());
        Assert.Equal(pty.Original, pty.Current);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task AnswersTypedJustBeforeQuitStillReachTheTerminal()
    {
        await Task.Yield();

        // quit typed right behind a command, before the monitor has even opened: the answer may
        // still sit in a ring when shutdown starts, and must be printed all the same.
        for (int run = 0; run < 4; run++)
        {
            using var scratch = new ScratchDirectory();
            using var pty = new PtyTerminal();
            using var emu = EmuRun.Start(scratch, pty.SlavePath, "-S", "-display", "none", "-monitor", "stdio");
            pty.Type("info status\rquit\r");
            Assert.Equal(0, emu.WaitForExit());
            pty.WaitFor("VM status: paused (prelaunch)");
        }
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task KilledStdioServerLeavesTheTerminalRestoredAndSigtermEndsEmu()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        using var pty = new PtyTerminal();
        using var emu = EmuRun.Start(scratch, pty.SlavePath, "-nographic", "-S");
        int server = emu.WaitForServer("serial0");
        pty.WaitForMode(m => (m.LocalFlags & TerminalFlags.ICANON) == 0, "raw");
        pty.Type([CtrlA, (byte)'c']);
        int at = pty.WaitFor("(qemu) ");
        pty.Type("info status\r");
        pty.WaitFor("VM status: paused (prelaunch)", at);

        // SIGKILL gives the server no chance to restore the mode: the emulator does.
        Assert.True(ProcessControl.Kill(server, Signals.SIGKILL));
        pty.WaitFor($"device server 'serial0' (pid {server}) exited with status 137");
        pty.WaitForMode(m => m == pty.Original, "restored by emu");

        Assert.True(ProcessControl.Kill(emu.ProcessId, Signals.SIGTERM));
        Assert.Equal(0, emu.WaitForExit());
        Assert.Equal(pty.Original, pty.Current);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task EmuSurvivesAKilledServerAndQuitsFromASocketMonitor()
    {
        using var scratch = new ScratchDirectory();
        string monitorPath = scratch.File("mon");
        using var emu = EmuRun.Start(
            scratch, null, "-display", "none", "-serial", $"file:{scratch.File("serial")}", "-monitor", $"unix:{monitorPath},server=on,wait=off");
        int serial = emu.WaitForServer("serial0");
        int monitor = emu.WaitForServer("compat_monitor0");
        using Socket socket = await SocketBackendEndToEndTests.ConnectWithRetryAsync(new UnixDomainSocketEndPoint(monitorPath));
        var screen = new SocketScreen(socket);
        int at = await screen.WaitForAsync("(qemu) ");

        Assert.True(ProcessControl.Kill(serial, Signals.SIGKILL));
        emu.WaitForStderr($"device server 'serial0' (pid {serial}) exited with status 137");

        await screen.TypeAsync("info status\n");
        at = await screen.WaitForAsync("VM status: running", at);
        await screen.TypeAsync("system_reset\n");
        at = await screen.WaitForAsync("(qemu) ", at);
        await screen.TypeAsync("info registers\n");
        at = await screen.WaitForAsync("EIP=0000fff0 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0", at);
        await screen.TypeAsync("quit\n");
        Assert.Equal(0, emu.WaitForExit());
        Assert.True(await ProcessProbe.WaitForDeathAsync(monitor), "the monitor's emu-chardev outlived emu");
        Assert.True(ProcessProbe.IsDead(serial));
        Assert.Empty(ProcessTree.ChildrenOf(emu.ProcessId));
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task CommandLineErrorsArePrintedAsEmuMessages()
    {
        using var scratch = new ScratchDirectory();
        using var emu = EmuRun.Start(scratch, null, "-serial", "chardev:nope");
        Assert.Equal(1, emu.WaitForExit());
        Assert.Contains("emu: -serial chardev:nope: could not connect serial device to character backend 'chardev:nope'", emu.Stderr, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task AChardevThatCannotOpenStopsStartup()
    {
        using var scratch = new ScratchDirectory();
        string path = scratch.File("missing/dir/f");
        using var emu = EmuRun.Start(scratch, null, "-display", "none", "-serial", $"file:{path}");
        Assert.Equal(1, emu.WaitForExit());

        // The server says why; emu says once which option failed and how its server ended.
        string[] lines = emu.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains($"Could not open '{path}'", StringComparison.Ordinal));
        string emuLine = Assert.Single(lines, l => l.StartsWith("emu: ", StringComparison.Ordinal));
        string escapedPath = global::System.Text.RegularExpressions.Regex.Escape(path);
        Assert.Matches(
            $"^emu: -serial file:{escapedPath}: could not open chardev 'serial0': emu-chardev \\(pid [0-9]+\\) exited with status 1$",
            emuLine);
        await Task.CompletedTask;
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task KilledEmuTakesItsServerAlongAndTheTerminalComesBack()
    {
        using var scratch = new ScratchDirectory();
        using var pty = new PtyTerminal();
        using var emu = EmuRun.Start(scratch, pty.SlavePath, "-nographic");
        int server = emu.WaitForServer("serial0");
        pty.WaitForMode(m => (m.LocalFlags & TerminalFlags.ICANON) == 0, "raw");

        // No chance to clean up: the server's parent-death signal does it.
        Assert.True(ProcessControl.Kill(emu.ProcessId, Signals.SIGKILL));
        emu.WaitForExit();
        Assert.True(await ProcessProbe.WaitForDeathAsync(server), "emu-chardev outlived a SIGKILLed emu");
        pty.WaitForMode(m => m == pty.Original, "restored by the dying server");
    }
}
