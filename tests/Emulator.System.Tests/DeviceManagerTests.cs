using System.Collections.Concurrent;
using Emulator.Posix;
using Emulator.Vmm;

namespace Emulator.System.Tests;

public sealed class DeviceManagerTests
{
    [Fact]
    public async Task ChildGetsItsSocketEndAsFdAndOurPidAsParent()
    {
        using var fixture = new ManagerFixture();

        // sh -c SCRIPT --fd N --parent-pid P: $0 is "--fd", $1 is N, $3 is P.
        DeviceConnection connection = fixture.Manager.Spawn("dev0", ManagerFixture.Shell("echo \"$0 $2 $3\" >&\"$1\"; exec sleep 1000"));
        string expected = $"--fd --parent-pid {ProcessControl.CurrentId}\n";
        Assert.Equal(expected, SocketTalk.Receive(connection.Socket, expected.Length));
        Assert.NotNull(connection.ProcessId);
        Assert.False(connection.HasEnded);

        fixture.Manager.StopAll();
        DeviceServerExitedEventArgs exit = await fixture.ExitedAsync("dev0");
        Assert.True(exit.Expected);
        Assert.Equal(128 + Signals.SIGTERM, exit.ExitStatus);
        Assert.Empty(fixture.Log);
    }

    [Fact]
    public async Task DeathIsReportedWithItsStatus()
    {
        using var fixture = new ManagerFixture();
        DeviceConnection connection = fixture.Manager.Spawn("chardev0", ManagerFixture.Shell("exec sleep 1000"));
        int pid = connection.ProcessId ?? throw new InvalidOperationException("no pid");
        Assert.True(ProcessControl.Kill(pid, Signals.SIGKILL));

        DeviceServerExitedEventArgs exit = await fixture.ExitedAsync("chardev0");
        Assert.False(exit.Expected);
        Assert.Equal(pid, exit.ProcessId);
        Assert.Equal(128 + Signals.SIGKILL, exit.ExitStatus);
        Assert.True(connection.HasEnded);
        Assert.Contains($"device server 'chardev0' (pid {pid}) exited with status 137", fixture.Log);
    }

    [Fact]
    public async Task ExitStatusOfANormalExitIsReported()
    {
        using var fixture = new ManagerFixture();
        fixture.Manager.Spawn("dev0", ManagerFixture.Shell("read line <&\"$1\"; exit 3"));
        UnixSocket.SendAll(fixture.Manager.Connections[0].Socket, "go\n"u8);
        DeviceServerExitedEventArgs exit = await fixture.ExitedAsync("dev0");
        Assert.Equal(3, exit.ExitStatus);
        Assert.False(exit.Expected);
    }

    [Fact]
    public async Task AnEndDuringSetUpIsLeftToTheCallerToReport()
    {
        using var fixture = new ManagerFixture();
        DeviceConnection connection = fixture.Manager.Spawn("dev0", ManagerFixture.Shell("exit 1"), callerReportsSetUpFailure: true);
        DeviceServerExitedEventArgs exit = await fixture.ExitedAsync("dev0");
        Assert.False(exit.Expected);
        Assert.Equal(1, connection.ExitStatus);
        fixture.Manager.Stop(connection);
        Assert.Empty(fixture.Log);
    }

    [Fact]
    public async Task AnEndDuringASuccessfulSetUpIsLoggedWhenTheSetUpCompletes()
    {
        using var fixture = new ManagerFixture();
        DeviceConnection connection = fixture.Manager.Spawn("dev0", ManagerFixture.Shell("exit 4"), callerReportsSetUpFailure: true);
        await fixture.ExitedAsync("dev0");
        Assert.Empty(fixture.Log);
        fixture.Manager.CompleteSetUp(connection);
        fixture.Manager.CompleteSetUp(connection);
        Assert.Equal([$"device server 'dev0' (pid {connection.ProcessId}) exited with status 4"], fixture.Log);
    }

    [Fact]
    public async Task AfterSetUpAnEndIsLoggedAsUsual()
    {
        using var fixture = new ManagerFixture();
        DeviceConnection connection = fixture.Manager.Spawn("dev0", ManagerFixture.Shell("read line <&\"$1\"; exit 5"), callerReportsSetUpFailure: true);
        fixture.Manager.CompleteSetUp(connection);
        UnixSocket.SendAll(connection.Socket, "go\n"u8);
        await fixture.ExitedAsync("dev0");
        Assert.Equal([$"device server 'dev0' (pid {connection.ProcessId}) exited with status 5"], fixture.Log);
    }

    [Fact]
    public async Task AServerThatHangsUpButLingersIsNoticedAndStopped()
    {
        using var fixture = new ManagerFixture();

        // Closes its socket end, then sleeps: only the hang-up watch can notice this.
        DeviceConnection connection = fixture.Manager.Spawn("dev0", ManagerFixture.Shell("eval \"exec $1>&-\"; exec sleep 1000"));
        DeviceServerExitedEventArgs exit = await fixture.ExitedAsync("dev0");
        Assert.False(exit.Expected);
        Assert.Equal(128 + Signals.SIGTERM, exit.ExitStatus);
        Assert.Contains(fixture.Log, line => line.Contains("closed its connection but did not exit", StringComparison.Ordinal));
        Assert.True(ProcessProbe.IsDead(connection.ProcessId ?? 0));
    }

    [Fact]
    public async Task StopEscalatesToSigkillWhenSigtermIsIgnored()
    {
        using var fixture = new ManagerFixture();
        DeviceConnection connection = fixture.Manager.Spawn("stubborn", ManagerFixture.Shell("trap '' TERM; echo ready >&\"$1\"; exec sleep 1000"));
        Assert.Equal("ready\n", SocketTalk.Receive(connection.Socket, 6));
        fixture.Manager.Stop(connection);
        DeviceServerExitedEventArgs exit = await fixture.ExitedAsync("stubborn");
        Assert.True(exit.Expected);
        Assert.Equal(128 + Signals.SIGKILL, exit.ExitStatus);
        Assert.Contains(fixture.Log, line => line.Contains("did not stop after SIGTERM; sending SIGKILL", StringComparison.Ordinal));
    }

    [Fact]
    public void DisposeLeavesNoChildBehind()
    {
        var fixture = new ManagerFixture();
        int[] pids =
        [
            .. Enumerable.Range(0, 3).Select(i =>
                fixture.Manager.Spawn($"dev{i}", ManagerFixture.Shell(i == 0 ? "trap '' TERM; exec sleep 1000" : "exec sleep 1000")).ProcessId ?? 0),
        ];
        fixture.Dispose();
        foreach (int pid in pids)
        {
            Assert.False(Directory.Exists($"/proc/{pid}"), $"pid {pid} survived");
        }
    }

    [Fact]
    public async Task ConnectedServerHangUpIsReportedWithoutStatus()
    {
        string path = TestPaths.TempSocketPath();
        using SafeFd listener = UnixSocket.Listen(path);
        using var fixture = new ManagerFixture();
        DeviceConnection connection = fixture.Manager.Connect("vhost0", path);
        using (SafeFd accepted = UnixSocket.Accept(listener) ?? throw new InvalidOperationException("no connection"))
        {
            UnixSocket.SendAll(connection.Socket, "hi"u8);
            Assert.Equal("hi", SocketTalk.Receive(accepted, 2));
        }

        DeviceServerExitedEventArgs exit = await fixture.ExitedAsync("vhost0");
        Assert.Null(exit.ProcessId);
        Assert.Null(exit.ExitStatus);
        Assert.False(exit.Expected);
        Assert.Contains($"device server 'vhost0' at {path} hung up", fixture.Log);
        File.Delete(path);
    }

    [Fact]
    public void ConnectToNothingFailsClearly()
    {
        using var fixture = new ManagerFixture();
        var e = Assert.Throws<DeviceManagerException>(() => fixture.Manager.Connect("x", "/nonexistent-emu/none.sock"));
        Assert.Contains("cannot connect to device server 'x' at /nonexistent-emu/none.sock", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpawnOfAMissingProgramFailsClearly()
    {
        using var fixture = new ManagerFixture();
        var e = Assert.Throws<DeviceManagerException>(() => fixture.Manager.Spawn("x", new DeviceServerCommand("/nonexistent-emu/emu-none", [])));
        Assert.Contains("cannot start device server 'x' (/nonexistent-emu/emu-none)", e.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Manager.Connections);

        // The failed attempt does not keep its id.
        Assert.Equal("x", fixture.Manager.Spawn("x", ManagerFixture.Shell("exec sleep 1000")).Id);
    }

    [Fact]
    public void IdsAreUnique()
    {
        using var fixture = new ManagerFixture();
        fixture.Manager.Spawn("dup", ManagerFixture.Shell("exec sleep 1000"));
        Assert.Throws<ArgumentException>(() => fixture.Manager.Spawn("dup", ManagerFixture.Shell("exec sleep 1000")));
    }

    [Fact]
    public async Task AThrowingExitHandlerIsLoggedAndTheOthersStillRun()
    {
        ConcurrentQueue<string> log = new();
        using var manager = new DeviceManager(new DeviceManagerOptions
        {
            StopGracePeriod = TimeSpan.FromMilliseconds(500),
            HandleTerminationSignals = false,
            Log = log.Enqueue,
        });
        var exited = new TaskCompletionSource<DeviceServerExitedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        manager.ServerExited += (_, _) => throw new InvalidOperationException("exit handler bug");
        manager.ServerExited += (_, e) => exited.TrySetResult(e);
        DeviceConnection connection = manager.Spawn("dev0", ManagerFixture.Shell("exec sleep 1000"));
        Assert.True(ProcessControl.Kill(connection.ProcessId ?? 0, Signals.SIGKILL));

        // Had the exception escaped the thread-pool thread, the test host would have died here.
        DeviceServerExitedEventArgs exit = await exited.Task.WaitAsync(HostRun.Patience);
        Assert.Equal("dev0", exit.Id);
        Assert.Contains(log, line => line.Contains("a ServerExited handler for device server 'dev0'", StringComparison.Ordinal)
            && line.Contains("exit handler bug", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AThrowingLogDoesNotStopReports()
    {
        using var manager = new DeviceManager(new DeviceManagerOptions
        {
            StopGracePeriod = TimeSpan.FromMilliseconds(500),
            HandleTerminationSignals = false,
            Log = _ => throw new IOException("log sink bug"),
        });
        var exited = new TaskCompletionSource<DeviceServerExitedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        manager.ServerExited += (_, e) => exited.TrySetResult(e);

        // Closes its socket and lingers: the hang-up path logs, then stops it, then the exit is reported.
        DeviceConnection connection = manager.Spawn("dev0", ManagerFixture.Shell("eval \"exec $1>&-\"; exec sleep 1000"));
        DeviceServerExitedEventArgs exit = await exited.Task.WaitAsync(HostRun.Patience);
        Assert.False(exit.Expected);
        Assert.Equal(128 + Signals.SIGTERM, exit.ExitStatus);
        Assert.True(ProcessProbe.IsDead(connection.ProcessId ?? 0));
    }
}
