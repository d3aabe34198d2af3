using System.Diagnostics;
using System.Text;
using Emulator.Posix;
using Emulator.Vmm;
using Emulator.Vmm.Chardev;

namespace Emulator.System.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class ReconnectEndToEndTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task ChardevOutlivesAFrontEndAndServesTheNext()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string socketPath = scratch.File("srv");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (string arg in (string[])["-c", Shell.ExecScript("/dev/null", "/dev/null", scratch.File("log")), RepoLayout.EmuChardev,
            "--socket-path", socketPath, "--chardev", $"file,id=c,path={scratch.File("out")}"])
        {
            start.ArgumentList.Add(arg);
        }

        using Process server = Process.Start(start) ?? throw new InvalidOperationException("could not start emu-chardev");
        try
        {
            using var manager = new DeviceManager(new DeviceManagerOptions { HandleTerminationSignals = false, Log = _ => { } });
            string expected = string.Empty;
            foreach (string word in (string[])["first ", "second"])
            {
                DeviceConnection connection = ConnectWithRetry(manager, $"front-end-{word.Trim()}", socketPath);
                using (ChardevClient client = ChardevClient.Connect(connection.Socket, new ChardevClientOptions { Id = "c", StreamCount = 1 }))
                {
                    Assert.Equal(word.Length, client.Streams[0].Output.TryWrite(Encoding.ASCII.GetBytes(word)));
                    expected += word;
                    WaitForFile(scratch, expected);
                }

                manager.Stop(connection);
            }

            Assert.False(server.HasExited, scratch.Read("log"));
            Assert.True(ProcessControl.Kill(server.Id, Signals.SIGTERM));
            Assert.True(server.WaitForExit(Patience.Wait));
            Assert.Equal(0, server.ExitCode);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }
        }
    }

    private static DeviceConnection ConnectWithRetry(DeviceManager manager, string id, string path)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (true)
        {
            try
            {
                return manager.Connect(id, path);
            }
            catch (DeviceManagerException) when (DateTime.UtcNow < giveUp)
            {
                Thread.Sleep(20);
            }
        }
    }

    private static void WaitForFile(ScratchDirectory scratch, string expected)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (scratch.Read("out") != expected)
        {
            Assert.True(DateTime.UtcNow < giveUp, $"out holds '{scratch.Read("out")}', expected '{expected}'\n{scratch.Read("log")}");
            Thread.Sleep(10);
        }
    }
}
