using System.Runtime.CompilerServices;
using Emulator.Posix;

namespace Emulator.Chardev.Tests;

public class TerminalTests
{
    [Fact]
    public void TermiosHasGlibcLayout() => Assert.Equal(60, Unsafe.SizeOf<TerminalAttributes>());

    [Fact]
    public void PseudoTerminalSlaveIsATerminal()
    {
        using PseudoTerminal pty = PseudoTerminal.Open();
        Assert.StartsWith("/dev/pts/", pty.SlavePath, StringComparison.Ordinal);
        using SafeFd slave = pty.OpenSlave();
        Assert.True(Terminal.IsTerminal(slave));
        Assert.True(Terminal.IsTerminal(pty.Master));
        Assert.Equal(FileKind.CharacterDevice, PosixFile.GetKind(slave));
    }

    [Fact]
    public void AttributesRoundTripAndMakeRaw()
    {
        using PseudoTerminal pty = PseudoTerminal.Open();
        using SafeFd slave = pty.OpenSlave();
        TerminalAttributes cooked = Terminal.GetAttributes(slave);
        Assert.NotEqual(0u, cooked.LocalFlags & TerminalFlags.ICANON);
        TerminalAttributes raw = Terminal.MakeRaw(cooked);
        Assert.Equal(0u, raw.LocalFlags & (TerminalFlags.ICANON | TerminalFlags.ECHO | TerminalFlags.ISIG));
        Assert.Equal(0u, raw.OutputFlags & TerminalFlags.OPOST);
        Terminal.SetAttributes(slave, raw);
        Assert.Equal(raw, Terminal.GetAttributes(slave));
        Terminal.SetAttributes(slave, cooked);
        Assert.Equal(cooked, Terminal.GetAttributes(slave));
    }

    [Fact]
    public void QemuStdioModeKeepsOutputProcessingAndOptionallySignals()
    {
        using PseudoTerminal pty = PseudoTerminal.Open();
        using SafeFd slave = pty.OpenSlave();
        TerminalAttributes cooked = Terminal.GetAttributes(slave);
        TerminalAttributes withSignals = StdioTerminalMode.Raw(cooked, allowSignals: true);
        TerminalAttributes withoutSignals = StdioTerminalMode.Raw(cooked, allowSignals: false);
        Assert.Equal(0u, withSignals.LocalFlags & (TerminalFlags.ICANON | TerminalFlags.ECHO | TerminalFlags.IEXTEN));
        Assert.Equal(0u, withSignals.InputFlags & (TerminalFlags.ICRNL | TerminalFlags.IXON));
        Assert.NotEqual(0u, withSignals.OutputFlags & TerminalFlags.OPOST);
        Assert.NotEqual(0u, withSignals.LocalFlags & TerminalFlags.ISIG);
        Assert.Equal(0u, withoutSignals.LocalFlags & TerminalFlags.ISIG);
        Assert.Equal(1, withSignals.GetControlChar(TerminalFlags.VMIN));
        Assert.Equal(0, withSignals.GetControlChar(TerminalFlags.VTIME));
    }

    [Fact]
    public void PosixFileOpenHonoursAppend()
    {
        using TempDirectory dir = new();
        string path = dir.File("f");
        File.WriteAllText(path, "ab");
        using (SafeFd fd = PosixFile.Open(path, OpenFlags.WriteOnly | OpenFlags.Append | OpenFlags.CloseOnExec))
        {
            Assert.Equal(FileKind.Regular, PosixFile.GetKind(fd));
            Fd.WriteAll(fd, "cd"u8);
        }

        Assert.Equal("abcd", File.ReadAllText(path));
        PosixException e = Assert.Throws<PosixException>(() => PosixFile.Open(dir.File("missing"), OpenFlags.ReadOnly));
        Assert.Equal(Errno.ENOENT, e.Errno);
    }
}
