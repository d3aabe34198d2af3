using System.Text;
using System.Text.RegularExpressions;
using Emulator.Chardev;
using Emulator.Posix;

namespace Emulator.System.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed partial class PtyBackendEndToEndTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task PtyBackendAnnouncesItsSlaveAndCarriesBothDirections()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        using var server = ChardevServerHarness.Start(scratch, "pty,id=c");
        string slavePath = WaitForAnnouncement(server);
        using SafeFd slave = PosixFile.Open(slavePath, OpenFlags.ReadWrite | OpenFlags.NoControllingTerminal | OpenFlags.CloseOnExec);
        server.Events.WaitFor(ChardevEventKind.Opened);

        Fd.WriteAll(slave, "typed on the pty"u8);
        Assert.Equal("typed on the pty", server.ReceiveText(16));

        server.Send("to the pty");
        Assert.Equal("to the pty", ReadExactly(slave, 10));
    }

    private static string WaitForAnnouncement(ChardevServerHarness server)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (true)
        {
            Match match = Announcement().Match(server.Log);
            if (match.Success)
            {
                return match.Groups[1].Value;
            }

            Assert.True(DateTime.UtcNow < giveUp, $"no pty announcement in:\n{server.Log}");
            Thread.Sleep(10);
        }
    }

    private static string ReadExactly(SafeFd fd, int count)
    {
        byte[] buffer = new byte[count];
        int got = 0;
        while (got < count)
        {
            Assert.True(Poller.WaitOne(fd, PollEvents.In, Patience.WaitMs) != 0, $"pty gave {got} of {count} bytes");
            got += Math.Max(0, Fd.Read(fd, buffer.AsSpan(got)));
        }

        return Encoding.UTF8.GetString(buffer);
    }

    [GeneratedRegex(@"char device redirected to (/dev/pts/\d+) \(label c\)")]
    private static partial Regex Announcement();
}
