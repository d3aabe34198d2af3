using Emulator.Posix;
using Emulator.Vmm;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>
/// A device server shares the user's terminal: its log lines must be the only bytes it puts there.
/// (.NET's System.Console, once used with a terminal, sends the terminal's keypad-transmit sequence.)
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ServerLogTerminalEndToEndTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task LoggingToATerminalSendsNoEscapeSequence()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var pty = new PtyTerminal();
        using var manager = new DeviceManager(new DeviceManagerOptions { HandleTerminationSignals = false, Log = _ => { } });

        // A null chardev writes nothing itself; TERM names a terminal whose terminfo has keypad_xmit.
        string script = "TERM=xterm; export TERM; " + Shell.ExecScript(pty.SlavePath, pty.SlavePath, null) + " 2>" + Shell.Quote(pty.SlavePath);
        DeviceConnection server = manager.Spawn("chardev", new DeviceServerCommand("/bin/sh", ["-c", script, RepoLayout.EmuChardev, "--chardev", "null,id=c"]));

        // A front-end that speaks nonsense: the server logs why it drops the connection, then exits.
        UnixSocket.SendAll(server.Socket, Enumerable.Repeat((byte)0xff, 12).ToArray());
        pty.WaitFor("emu-chardev[");
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (!server.HasEnded)
        {
            Assert.True(DateTime.UtcNow < giveUp, $"emu-chardev did not exit; the terminal showed:\n{pty.Seen}");
            Thread.Sleep(10);
        }

        pty.ReadUntilQuiet();
        Assert.Equal(1, server.ExitStatus);
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} fail emu-chardev\[\d+\]: ", pty.Seen);
        Assert.DoesNotContain('\x1b', pty.Seen);
    }
}
