using System.Text.RegularExpressions;
using Emulator.Posix;

namespace Emulator.Chardev.Tests;

public partial class PtyBackendTests
{
    [Fact]
    public void AnnouncesTheSlaveAndWorksOnlyWhileItIsOpen()
    {
        List<string> messages = [];
        using IChardevBackend chardev = ChardevFactory.Create(ChardevParser.ParseChardev("pty,id=serial0"), new ChardevContext(messages.Add));
        PtyBackend backend = Assert.IsType<PtyBackend>(chardev);
        EventLatch connected = new();
        EventLatch disconnected = new();
        backend.Connected += connected.Set;
        backend.Disconnected += disconnected.Set;
        backend.Start();

        string path = Assert.IsType<string>(backend.SlavePath);
        Assert.Equal([$"char device redirected to {path} (label serial0)"], messages);
        Assert.Matches(SlaveMessage(), messages[0]);

        // Nobody holds the slave: output is dropped at once instead of filling the pty and blocking.
        Assert.False(backend.IsConnected);
        backend.Write(new byte[1 << 20]);

        using BackendReader reader = new(backend);
        using (SafeFd slave = PosixFile.Open(path, OpenFlags.ReadWrite | OpenFlags.NoControllingTerminal | OpenFlags.CloseOnExec))
        {
            Terminal.SetAttributes(slave, Terminal.MakeRaw(Terminal.GetAttributes(slave)));
            Fd.WriteAll(slave, "typed"u8);
            Assert.Equal("typed", reader.WaitForText("typed"));
            connected.WaitFor(1);
            Assert.True(backend.IsConnected);

            backend.Write("shown"u8);
            Assert.Equal("shown", FdReader.ReadText(slave, 5));
        }

        disconnected.WaitFor(1);
        Assert.False(backend.IsConnected);
        backend.Write(new byte[1 << 20]);

        // A second user of the slave is served again.
        using (SafeFd again = PosixFile.Open(path, OpenFlags.ReadWrite | OpenFlags.NoControllingTerminal | OpenFlags.CloseOnExec))
        {
            Terminal.SetAttributes(again, Terminal.MakeRaw(Terminal.GetAttributes(again)));
            Fd.WriteAll(again, "more"u8);
            Assert.Equal("typedmore", reader.WaitForText("typedmore"));
            connected.WaitFor(2);
        }
    }

    [GeneratedRegex(@"^char device redirected to /dev/pts/\d+ \(label serial0\)$")]
    private static partial Regex SlaveMessage();
}
