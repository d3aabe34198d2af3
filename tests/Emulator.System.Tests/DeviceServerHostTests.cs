using System.Globalization;
using System.Text.Json;
using Emulator.DeviceHost;
using Emulator.Posix;
using Microsoft.Extensions.DependencyInjection;

namespace Emulator.System.Tests;

public sealed class DeviceServerHostTests
{
    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task PrintCapabilitiesPrintsTypeAndFeatures()
    {
        HostRun run = await HostRun.CompleteAsync("--print-capabilities");
        Assert.Equal(DeviceServerExitCode.Success, await run.ExitCodeAsync());
        using JsonDocument json = JsonDocument.Parse(run.Stdout.ToString());
        Assert.Equal("echo", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(["echo", "reconnect"], json.RootElement.GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, json.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public async Task HelpListsCommonAndServerOptions()
    {
        HostRun run = await HostRun.CompleteAsync("--help");
        Assert.Equal(DeviceServerExitCode.Success, await run.ExitCodeAsync());
        string help = run.Stdout.ToString();
        Assert.StartsWith("Usage: emu-test-echo (--socket-path PATH | --fd N)", help, StringComparison.Ordinal);
        Assert.Contains("--greeting TEXT", help, StringComparison.Ordinal);
        Assert.Contains("--parent-pid PID", help, StringComparison.Ordinal);
        Assert.Contains("Exit status: 0 success, 1 failure, 2 command-line error.", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageErrorExitsWithTwoAndAHint()
    {
        HostRun run = await HostRun.CompleteAsync("--fd", "3", "--bogus");
        Assert.Equal(DeviceServerExitCode.Usage, await run.ExitCodeAsync());
        Assert.Equal(
            "emu-test-echo: unknown option '--bogus'\nTry 'emu-test-echo --help' for more information.\n",
            run.Stderr.ToString().ReplaceLineEndings("\n"));
        Assert.Empty(run.Stdout.ToString());
    }

    [Fact]
    public async Task ConfigureMayRejectAServerOptionValue()
    {
        HostRun run = HostRun.Start(
            (args, _) => throw new DeviceServerUsageException($"bad greeting '{args.Get("greeting")}'"),
            ["--fd", "3", "--greeting", "x"],
            CancellationToken.None);
        Assert.Equal(DeviceServerExitCode.Usage, await run.ExitCodeAsync());
        Assert.Contains("emu-test-echo: bad greeting 'x'", run.Stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FdThatIsNotASocketFails()
    {
        (SafeFd read, SafeFd write) = Fd.Pipe();
        using (write)
        {
            int number = SocketTalk.Release(read);
            HostRun run = await HostRun.CompleteAsync("--fd", Number(number));
            Assert.Equal(DeviceServerExitCode.Failure, await run.ExitCodeAsync());
            Assert.Contains($"--fd {number}: not a socket", run.Stderr.ToString(), StringComparison.Ordinal);
            using var adopted = new SafeFd(number);
        }
    }

    [Fact]
    public async Task FdThatIsNotOpenFails()
    {
        HostRun run = await HostRun.CompleteAsync("--fd", "987654");
        Assert.Equal(DeviceServerExitCode.Failure, await run.ExitCodeAsync());
        Assert.Contains("--fd 987654: not an open file descriptor", run.Stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SocketPathInMissingDirectoryFails()
    {
        HostRun run = await HostRun.CompleteAsync("--socket-path", "/nonexistent-dir-emu/x.sock");
        Assert.Equal(DeviceServerExitCode.Failure, await run.ExitCodeAsync());
        Assert.Contains("cannot listen on '/nonexistent-dir-emu/x.sock'", run.Stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FdServerExitsWithZeroWhenThePeerHangsUp()
    {
        (SafeFd ours, SafeFd theirs) = UnixSocket.CreatePair();
        using (ours)
        {
            HostRun run = HostRun.Start(null, ["--fd", Number(SocketTalk.Release(theirs)), "--greeting", "hi"], CancellationToken.None);
            Assert.Equal("hi", SocketTalk.Receive(ours, 2));
            Assert.Equal("hello", SocketTalk.RoundTrip(ours, "hello"));
            ours.Dispose();
            Assert.Equal(DeviceServerExitCode.Success, await run.ExitCodeAsync());
        }
    }

    [Fact]
    public async Task StopRequestUnblocksAHandlerInARead()
    {
        (SafeFd ours, SafeFd theirs) = UnixSocket.CreatePair();
        using (ours)
        using (var stop = new CancellationTokenSource())
        {
            HostRun run = HostRun.Start(null, ["--fd", Number(SocketTalk.Release(theirs))], stop.Token);
            Assert.Equal("x", SocketTalk.RoundTrip(ours, "x"));
            await stop.CancelAsync();
            Assert.Equal(DeviceServerExitCode.Success, await run.ExitCodeAsync());

            // The server side was closed: we see end of stream.
            Assert.Equal(0, UnixSocket.Receive(ours, new byte[1], [], out _));
        }
    }

    [Fact]
    public async Task SocketPathServesOneFrontEndAfterAnother()
    {
        string path = TestPaths.TempSocketPath();
        using var stop = new CancellationTokenSource();
        HostRun run = HostRun.Start(null, ["--socket-path", path], stop.Token);
        for (int i = 0; i < 3; i++)
        {
            using SafeFd client = await SocketTalk.ConnectAsync(path);
            Assert.Equal($"round {i}", SocketTalk.RoundTrip(client, $"round {i}"));
        }

        await stop.CancelAsync();
        Assert.Equal(DeviceServerExitCode.Success, await run.ExitCodeAsync());
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task StopWhileAFrontEndIsConnectedEndsTheSession()
    {
        string path = TestPaths.TempSocketPath();
        using var stop = new CancellationTokenSource();
        HostRun run = HostRun.Start(null, ["--socket-path", path], stop.Token);
        using SafeFd client = await SocketTalk.ConnectAsync(path);
        Assert.Equal("a", SocketTalk.RoundTrip(client, "a"));
        await stop.CancelAsync();
        Assert.Equal(DeviceServerExitCode.Success, await run.ExitCodeAsync());
        Assert.Equal(0, UnixSocket.Receive(client, new byte[1], [], out _));
    }

    [Fact]
    public async Task HandlerIOExceptionOnFdExitsWithOne()
    {
        (SafeFd ours, SafeFd theirs) = UnixSocket.CreatePair();
        using (ours)
        {
            HostRun run = HostRun.Start(
                (_, services) => services.AddSingleton<IConnectionHandler>(new ThrowingHandler(() => new IOException("boom"))),
                ["--fd", Number(SocketTalk.Release(theirs))],
                CancellationToken.None);
            Assert.Equal(DeviceServerExitCode.Failure, await run.ExitCodeAsync());
        }
    }

    [Fact]
    public async Task HandlerBugExitsWithOne()
    {
        (SafeFd ours, SafeFd theirs) = UnixSocket.CreatePair();
        using (ours)
        {
            HostRun run = HostRun.Start(
                (_, services) => services.AddSingleton<IConnectionHandler>(new ThrowingHandler(() => new InvalidOperationException("bug"))),
                ["--fd", Number(SocketTalk.Release(theirs))],
                CancellationToken.None);
            Assert.Equal(DeviceServerExitCode.Failure, await run.ExitCodeAsync());
        }
    }

    [Fact]
    public async Task SocketPathSurvivesAFailedConnection()
    {
        string path = TestPaths.TempSocketPath();
        using var stop = new CancellationTokenSource();
        var handler = new ThrowingHandler(() => new InvalidDataException("bad message"), failures: 1);
        HostRun run = HostRun.Start((_, services) => services.AddSingleton<IConnectionHandler>(handler), ["--socket-path", path], stop.Token);
        using (SafeFd first = await SocketTalk.ConnectAsync(path))
        {
            Assert.Equal(0, UnixSocket.Receive(first, new byte[1], [], out _));
        }

        using (SafeFd second = await SocketTalk.ConnectAsync(path))
        {
            Assert.Equal("ok", SocketTalk.RoundTrip(second, "ok"));
        }

        await stop.CancelAsync();
        Assert.Equal(DeviceServerExitCode.Success, await run.ExitCodeAsync());
    }

    [Fact]
    public async Task ForgettingToRegisterAHandlerIsAProgrammingError()
    {
        HostRun run = HostRun.Start((_, _) => { }, ["--fd", "3"], CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => run.Exit.WaitAsync(HostRun.Patience));
    }
}
