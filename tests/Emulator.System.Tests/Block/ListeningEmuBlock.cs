using System.Diagnostics;
using Emulator.Posix;
using Emulator.System.Tests.EndToEnd;

namespace Emulator.System.Tests.Block;

/// <summary>
/// <c>bin/emu-block</c> of this checkout listening on a socket path for any vhost-user front-end (here
/// QEMU), its stderr in a file of the scratch directory. Dispose kills it if <see cref="Stop"/> was not
/// reached, so no server outlives a failed test.
/// </summary>
internal sealed class ListeningEmuBlock : IDisposable
{
    private readonly Process _process;
    private readonly string _stderr;

    private ListeningEmuBlock(Process process, string stderr, string socketPath)
    {
        _process = process;
        _stderr = stderr;
        SocketPath = socketPath;
    }

    public static string Launcher => Path.Combine(RepoLayout.Root, "bin", "emu-block");

    public string SocketPath { get; }

    /// <summary>What the server logged so far, for failure messages.</summary>
    public string Log => File.Exists(_stderr) ? File.ReadAllText(_stderr) : string.Empty;

    /// <summary>Starts the server and waits (bounded) until its socket exists.</summary>
    public static ListeningEmuBlock Start(ScratchDirectory scratch, string name, params string[] args)
    {
        if (!File.Exists(Launcher))
        {
            Assert.Fail($"{Launcher} is missing: run make build first");
        }

        string socket = scratch.File($"{name}.sock");
        string stderr = scratch.File($"{name}.log");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Shell.ExecScript("/dev/null", "/dev/null", stderr));
        foreach (string arg in (string[])[Launcher, "--socket-path", socket, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        var server = new ListeningEmuBlock(Process.Start(start) ?? throw new InvalidOperationException($"could not start {Launcher}"), stderr, socket);
        long deadline = Environment.TickCount64 + Patience.WaitMs;
        while (!File.Exists(socket) && !server._process.HasExited && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(20);
        }

        if (!File.Exists(socket))
        {
            string log = server.Log;
            server.Dispose();
            Assert.Fail($"emu-block did not listen on {socket}\n{log}");
        }

        return server;
    }

    /// <summary>SIGTERM, as a supervisor stops it; returns its exit status once it is gone (its image closed and unlocked).</summary>
    public int Stop()
    {
        ProcessControl.Kill(_process.Id, Signals.SIGTERM);
        Assert.True(_process.WaitForExit(Patience.WaitMs), $"emu-block did not stop on SIGTERM\n{Log}");
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
