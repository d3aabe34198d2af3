using System.Text;

namespace Emulator.System.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class FileBackendEndToEndTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task FileBackendWritesTheStreamAndLogAppendKeepsOldLog()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        File.WriteAllText(scratch.File("log"), "old log\n");
        string chardev = $"file,id=c,path={scratch.File("out")},logfile={scratch.File("log")},logappend=on";
        using (var server = ChardevServerHarness.Start(scratch, chardev))
        {
            server.Send("hello, file\n");
            WaitForFile(scratch, "out", "hello, file\n", server);
            WaitForFile(scratch, "log", "old log\nhello, file\n", server);
        }
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task LogFileWithoutAppendStartsEmpty()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        File.WriteAllText(scratch.File("log"), "stale\n");
        using var server = ChardevServerHarness.Start(scratch, $"null,id=c,logfile={scratch.File("log")}");
        server.Send("fresh\n");
        WaitForFile(scratch, "log", "fresh\n", server);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task NullBackendSwallowsOutputAndNeverSendsInput()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        using var server = ChardevServerHarness.Start(scratch, "null,id=c");
        byte[] block = new byte[200_000];
        server.Send(block);
        server.Send(block);

        // Drained: the ring toward the server empties although nothing reads the output.
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (server.Stream().Output.FreeSpace != server.Stream().Output.Ring.Capacity)
        {
            Assert.True(DateTime.UtcNow < giveUp, "null backend never drained its stream");
            Thread.Sleep(10);
        }

        Assert.Equal(0, server.Stream().Input.Available);
        Assert.False(server.Server.HasEnded, server.Log);
    }

    private static void WaitForFile(ScratchDirectory scratch, string name, string expected, ChardevServerHarness server)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (scratch.Read(name) != expected)
        {
            Assert.True(DateTime.UtcNow < giveUp, $"{name} holds '{scratch.Read(name)}', expected '{expected}'\n{server.Log}");
            Thread.Sleep(10);
        }

        Assert.Equal(expected, File.ReadAllText(scratch.File(name), Encoding.UTF8));
    }
}
