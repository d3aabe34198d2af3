using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>
/// A real <c>bin/emu</c> with its stdio on a terminal or in files. Disposing kills whatever is
/// left (the emulator and its device servers), so a failing test leaves nothing behind.
/// </summary>
internal sealed class EmuRun : IDisposable
{
    private readonly Process _process;
    private readonly List<int> _servers = [];

    private EmuRun(Process process, string stderrPath)
    {
        _process = process;
        StderrPath = stderrPath;
    }

    public int ProcessId => _process.Id;

    public string StderrPath { get; }

    public string Stderr => File.Exists(StderrPath) ? File.ReadAllText(StderrPath) : string.Empty;

    /// <summary>Starts <c>bin/emu ARGS</c>; stdio on <paramref name="terminal"/> when given, else stdin /dev/null and output in files.</summary>
    public static EmuRun Start(ScratchDirectory scratch, string? terminal, params string[] args)
    {
        RepoLayout.RequireBuild();
        string stderr = scratch.File($"emu-{Guid.NewGuid():N}.err");
        string script = terminal is null
            ? Shell.ExecScript("/dev/null", scratch.File("emu.out"), stderr)
            : Shell.ExecScript(terminal, terminal, null) + " 2>" + Shell.Quote(terminal);
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(RepoLayout.Emu);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start bin/emu");
        return new EmuRun(process, stderr);
    }

    /// <summary>The pid of the chardev server for chardev <paramref name="id"/>, once it is running.</summary>
    public int WaitForServer(string id)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (true)
        {
            if (ProcessTree.ChardevServer(ProcessId, id) is int pid)
            {
                _servers.Add(pid);
                return pid;
            }

            Assert.False(_process.HasExited, $"emu exited with {(_process.HasExited ? _process.ExitCode : 0)} before serving '{id}'\n{Stderr}");
            Assert.True(DateTime.UtcNow < giveUp, $"no emu-chardev for '{id}'\n{Stderr}");
            Thread.Sleep(20);
        }
    }

    /// <summary>Waits for the emulator to exit; its status.</summary>
    public int WaitForExit()
    {
        Assert.True(_process.WaitForExit(Patience.Wait), $"emu did not exit\n{Stderr}");
        return _process.ExitCode;
    }

    /// <summary>Waits until stderr contains <paramref name="text"/>.</summary>
    public string WaitForStderr(string text)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < giveUp, $"emu never logged '{text}'; stderr:\n{Stderr}");
            Thread.Sleep(20);
        }

        return Stderr;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(Patience.Wait);
        }

        foreach (int pid in _servers.Where(p => !ProcessProbe.IsDead(p)))
        {
            ProcessControl.Kill(pid, Signals.SIGKILL);
        }

        _process.Dispose();
    }
}
