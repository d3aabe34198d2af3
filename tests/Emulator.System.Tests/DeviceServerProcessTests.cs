using System.Diagnostics;
using System.Globalization;
using Emulator.DeviceHost;
using Emulator.Posix;
using Emulator.Vmm;

namespace Emulator.System.Tests;

/// <summary>
/// Real processes: this test assembly run as a device server (echo-server) and as a small
/// emulator (mini-emulator), so SIGTERM handling and parent death are exercised for real.
/// </summary>
public sealed class DeviceServerProcessTests
{
    [Fact]
    public async Task SpawnedServerAnswersAndStopsWithStatusZeroOnSigterm()
    {
        using var fixture = new ManagerFixture();
        DeviceConnection server = fixture.Manager.Spawn("echo0", TestPaths.EchoServerCommand());
        Assert.Equal("ping", SocketTalk.RoundTrip(server.Socket, "ping"));

        fixture.Manager.Stop(server);
        DeviceServerExitedEventArgs exit = await fixture.ExitedAsync("echo0");
        Assert.True(exit.Expected);
        Assert.Equal(DeviceServerExitCode.Success, exit.ExitStatus);
        Assert.DoesNotContain(fixture.Log, line => line.Contains("SIGKILL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SigtermFromOutsideIsAnOrderlyExit()
    {
        using var fixture = new ManagerFixture();
        DeviceConnection server = fixture.Manager.Spawn("echo0", TestPaths.EchoServerCommand());
        Assert.Equal("ping", SocketTalk.RoundTrip(server.Socket, "ping"));
        ProcessControl.Kill(server.ProcessId ?? 0, Signals.SIGTERM);

        DeviceServerExitedEventArgs exit = await fixture.ExitedAsync("echo0");
        Assert.False(exit.Expected);
        Assert.Equal(DeviceServerExitCode.Success, exit.ExitStatus);
    }

    [Fact]
    public async Task FdServerExitsWhenTheEmulatorHangsUp()
    {
        using var fixture = new ManagerFixture();
        DeviceConnection server = fixture.Manager.Spawn("echo0", TestPaths.EchoServerCommand());
        Assert.Equal("ping", SocketTalk.RoundTrip(server.Socket, "ping"));
        UnixSocket.Shutdown(server.Socket);

        DeviceServerExitedEventArgs exit = await fixture.ExitedAsync("echo0");
        Assert.Equal(DeviceServerExitCode.Success, exit.ExitStatus);
    }

    [Fact]
    public async Task ServerSpawnedFromAShortLivedThreadOutlivesThatThread()
    {
        using var fixture = new ManagerFixture();
        DeviceConnection? server = null;
        var thread = new Thread(() => server = fixture.Manager.Spawn("echo0", TestPaths.EchoServerCommand()));
        thread.Start();
        thread.Join();
        DeviceConnection spawned = server ?? throw new InvalidOperationException("spawn failed");
        Assert.Equal("one", SocketTalk.RoundTrip(spawned.Socket, "one"));

        // Had the fork happened on that thread, its exit would have sent the server SIGTERM.
        await Task.Delay(300);
        Assert.Equal("two", SocketTalk.RoundTrip(spawned.Socket, "two"));
        Assert.False(spawned.HasEnded);
    }

    [Fact]
    public async Task ServerWhoseParentIsAlreadyGoneRefusesToStart()
    {
        using Process child = StartSelf(redirectStderr: true, "echo-server", "--fd", "0", "--parent-pid", "1");
        string stderr = await child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync().WaitAsync(HostRun.Patience);
        Assert.Equal(DeviceServerExitCode.Failure, child.ExitCode);
        Assert.Contains("parent process 1 has already exited", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Signals.SIGKILL)]
    [InlineData(Signals.SIGTERM)]
    [InlineData(Signals.SIGINT)]
    public async Task ServersDieWithTheEmulator(int signal)
    {
        using Process emulator = StartSelf(redirectStderr: false, "mini-emulator");
        int serverPid = 0;
        try
        {
            string line = await emulator.StandardOutput.ReadLineAsync().WaitAsync(HostRun.Patience) ?? string.Empty;
            Assert.StartsWith("server-pid ", line, StringComparison.Ordinal);
            serverPid = int.Parse(line["server-pid ".Length..], CultureInfo.InvariantCulture);
            Assert.False(ProcessProbe.IsDead(serverPid));

            ProcessControl.Kill(emulator.Id, signal);
            await emulator.WaitForExitAsync().WaitAsync(HostRun.Patience);
            Assert.True(await ProcessProbe.WaitForDeathAsync(serverPid), $"device server {serverPid} outlived the emulator (signal {signal})");
        }
        finally
        {
            // A failed assertion must not leave the pair running after the test run.
            if (!emulator.HasExited)
            {
                ProcessControl.Kill(emulator.Id, Signals.SIGKILL);
            }

            if (serverPid != 0 && !ProcessProbe.IsDead(serverPid))
            {
                ProcessControl.Kill(serverPid, Signals.SIGKILL);
            }
        }
    }

    /// <summary>
    /// Starts this assembly's executable. The mini-emulator's stderr is left alone: its device
    /// server inherits it, and a redirected pipe would also hold WaitForExit until that server dies.
    /// </summary>
    private static Process StartSelf(bool redirectStderr, params string[] args)
    {
        var info = new ProcessStartInfo(TestPaths.SelfExecutable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = redirectStderr,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("cannot start the test executable");
    }
}
