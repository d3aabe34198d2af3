using Emulator.Posix;

namespace Emulator.System.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class StdioBackendEndToEndTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task StdioIsRawWhileServedAndRestoredAfterSigterm()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        using var pty = new PtyTerminal();
        using var server = ChardevServerHarness.Start(scratch, "stdio,id=c", terminal: pty.SlavePath);
        WaitForRaw(pty);
        Exchange(pty, server);

        Assert.True(ProcessControl.Kill(server.ProcessId, Signals.SIGTERM));
        server.WaitForExit();
        Assert.Equal(pty.Original, pty.Current);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task StdioIsRestoredWhenTheEmulatorHangsUp()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        using var pty = new PtyTerminal();
        using var server = ChardevServerHarness.Start(scratch, "stdio,id=c,signal=off", terminal: pty.SlavePath);
        WaitForRaw(pty);
        Assert.Equal(0u, pty.Current.LocalFlags & TerminalFlags.ISIG);
        Exchange(pty, server);

        UnixSocket.Shutdown(server.Server.Socket);
        Assert.Equal(0, server.WaitForExit());
        Assert.Equal(pty.Original, pty.Current);
    }

    private static void WaitForRaw(PtyTerminal pty) =>
        pty.WaitForMode(m => (m.LocalFlags & (TerminalFlags.ICANON | TerminalFlags.ECHO)) == 0, "raw (no ICANON, no ECHO)");

    private static void Exchange(PtyTerminal pty, ChardevServerHarness server)
    {
        pty.Type("keys");
        Assert.Equal("keys", server.ReceiveText(4));
        server.Send("screen text");
        pty.WaitFor("screen text");
    }
}
