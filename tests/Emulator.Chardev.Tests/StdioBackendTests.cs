using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.Chardev.Tests;

public class StdioBackendTests
{
    [Fact]
    public void RawModeWhileOpenRestoredOnDispose()
    {
        using PseudoTerminal pty = PseudoTerminal.Open();
        using SafeFd slave = pty.OpenSlave();
        TerminalAttributes before = Terminal.GetAttributes(slave);
        StdioBackend backend = new("serial0", new StdioBackendSpec(Signal: false), slave, slave);
        backend.Start();
        Assert.True(backend.IsConnected);
        Assert.Equal(before, backend.SavedTerminalMode);
        Assert.Equal(StdioTerminalMode.Raw(before, allowSignals: false), Terminal.GetAttributes(slave));

        using (BackendReader reader = new(backend))
        {
            // No line editing, no echo, and Ctrl-C (0x03) arrives as a byte because signal=off.
            Fd.WriteAll(pty.Master, "ab\u0003\r"u8);
            Assert.Equal("ab\u0003\r"u8.ToArray(), reader.WaitFor(4));

            // Output processing stays on: "\n" reaches the terminal as "\r\n".
            backend.Write("out\n"u8);
            Assert.Equal("out\r\n", FdReader.ReadText(pty.Master, 5));
        }

        backend.Dispose();
        Assert.Equal(before, Terminal.GetAttributes(slave));
    }

    [Fact]
    public void SignalOnKeepsIsig()
    {
        using PseudoTerminal pty = PseudoTerminal.Open();
        using SafeFd slave = pty.OpenSlave();
        TerminalAttributes before = Terminal.GetAttributes(slave);
        using (StdioBackend backend = new("serial0", new StdioBackendSpec(Signal: true), slave, slave))
        {
            backend.Start();
            Assert.NotEqual(0u, Terminal.GetAttributes(slave).LocalFlags & TerminalFlags.ISIG);
        }

        Assert.Equal(before, Terminal.GetAttributes(slave));
    }

    [Fact]
    public void PipesWorkWithoutTerminalChanges()
    {
        (SafeFd inRead, SafeFd inWrite) = Fd.Pipe();
        (SafeFd outRead, SafeFd outWrite) = Fd.Pipe();
        using (inRead)
        using (inWrite)
        using (outRead)
        using (outWrite)
        {
            using StdioBackend backend = new("serial0", new StdioBackendSpec(), inRead, outWrite);
            backend.Start();
            Assert.Null(backend.SavedTerminalMode);
            using BackendReader reader = new(backend);
            Fd.WriteAll(inWrite, "piped"u8);
            Assert.Equal("piped", reader.WaitForText("piped"));
            backend.Write("back\n"u8);
            Assert.Equal("back\n", FdReader.ReadText(outRead, 5));
        }
    }

    [Fact]
    public void EndOfInputIsNotFatal()
    {
        (SafeFd inRead, SafeFd inWrite) = Fd.Pipe();
        (SafeFd outRead, SafeFd outWrite) = Fd.Pipe();
        using (inRead)
        using (outRead)
        using (outWrite)
        {
            using StdioBackend backend = new("serial0", new StdioBackendSpec(), inRead, outWrite);
            backend.Start();
            using BackendReader reader = new(backend);
            Fd.WriteAll(inWrite, "last"u8);
            inWrite.Dispose();
            Assert.Equal("last", reader.WaitForText("last"));
            backend.Write("still writing"u8);
            Assert.Equal("still writing", FdReader.ReadText(outRead, 13));
        }
    }

    [Fact]
    public void TerminalIsRestoredWhenTheProcessGetsSigterm()
    {
        using PseudoTerminal pty = PseudoTerminal.Open();
        using SafeFd slave = pty.OpenSlave();
        TerminalAttributes before = Terminal.GetAttributes(slave);
        using Process child = StdioChildProcess.Start(pty.SlavePath);
        try
        {
            string said = StdioChildProcess.WaitForReady(child);
            Assert.Contains("ready", said, StringComparison.Ordinal);
            Assert.Equal(StdioTerminalMode.Raw(before, allowSignals: true), Terminal.GetAttributes(slave));

            // The child echoes, so it really serves the terminal.
            Fd.WriteAll(pty.Master, "ping"u8);
            Assert.Equal("ping", FdReader.ReadText(pty.Master, 4));

            Assert.True(ProcessControl.Kill(child.Id, Signals.SIGTERM));
            Assert.True(child.WaitForExit(Timeouts.Milliseconds), "child did not exit on SIGTERM");
            Assert.Equal(before, Terminal.GetAttributes(slave));
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }

    [Fact]
    public void TerminalIsRestoredWhenTheProcessDiesOfAnUnhandledException()
    {
        using PseudoTerminal pty = PseudoTerminal.Open();
        using SafeFd slave = pty.OpenSlave();
        TerminalAttributes before = Terminal.GetAttributes(slave);
        using Process child = StdioChildProcess.Start(pty.SlavePath, StdioChildProcess.CrashVerb);
        try
        {
            Assert.Contains("ready", StdioChildProcess.WaitForReady(child), StringComparison.Ordinal);
            Assert.Equal(StdioTerminalMode.Raw(before, allowSignals: true), Terminal.GetAttributes(slave));

            Fd.WriteAll(pty.Master, "x"u8);
            Assert.True(child.WaitForExit(Timeouts.Milliseconds), "child did not die");
            string rest = child.StandardError.ReadToEnd();
            Assert.Contains("deliberate crash", rest, StringComparison.Ordinal);
            Assert.NotEqual(0, child.ExitCode);
            Assert.Equal(before, Terminal.GetAttributes(slave));
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }
}
