using Emulator.Tests.Shared;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.VirtioBlock.Tests;

/// <summary>The built emu-block running as a real process on an inherited socketpair end (--fd N).</summary>
internal sealed class EmuBlockProcess : IDisposable
{
    private readonly Process _process;

    private EmuBlockProcess(Process process, VhostUserFrontend frontend)
    {
        _process = process;
        Frontend = frontend;
    }

    public VhostUserFrontend Frontend { get; }

    public int Pid => _process.Id;

    /// <summary>What the server logged, for failure messages.</summary>
    public ConcurrentQueue<string> Stderr { get; } = new();

    public static EmuBlockProcess Start(params string[] args)
    {
        (SafeFd ours, SafeFd theirs) = UnixSocket.CreatePair();
        using (theirs)
        {
            // Only the tests of one class start processes, one at a time, so no other child inherits it.
            Fd.SetCloseOnExec(theirs, false);
            ProcessStartInfo info = StartInfo(["--fd", theirs.Number.ToString(CultureInfo.InvariantCulture), .. args]);
            Process process = Process.Start(info) ?? throw new InvalidOperationException("could not start emu-block");
            Fd.SetCloseOnExec(theirs, true);
            var result = new EmuBlockProcess(process, new VhostUserFrontend(ours, 30_000));
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    result.Stderr.Enqueue(e.Data);
                }
            };
            process.BeginErrorReadLine();
            return result;
        }
    }

    /// <summary>Starts emu-block listening on <paramref name="socketPath"/> and waits (bounded) until the socket exists.</summary>
    public static Process StartListening(string socketPath, params string[] args)
    {
        Process process = Process.Start(StartInfo(["--socket-path", socketPath, .. args])) ?? throw new InvalidOperationException("could not start emu-block");
        process.BeginErrorReadLine();
        long deadline = Environment.TickCount64 + 60_000;
        while (!File.Exists(socketPath))
        {
            if (process.HasExited || Environment.TickCount64 > deadline)
            {
                process.Kill();
                process.Dispose();
                throw new InvalidOperationException("emu-block did not start listening");
            }

            Thread.Sleep(10);
        }

        return process;
    }

    /// <summary>Runs emu-block to completion (for command-line checks); returns its exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunToExit(params string[] args)
    {
        using Process process = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("could not start emu-block");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "emu-block did not exit");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>SIGKILL: no chance to flush, close or say goodbye.</summary>
    public void KillHard()
    {
        ProcessControl.Kill(_process.Id, Signals.SIGKILL);
        Assert.True(_process.WaitForExit(30_000), "emu-block survived SIGKILL");
    }

    public int CloseAndWait()
    {
        Frontend.Dispose();
        Assert.True(_process.WaitForExit(30_000), "emu-block did not exit after its --fd connection closed");
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Frontend.Dispose();
        if (!_process.WaitForExit(30_000))
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost.Path)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "emu-block.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }
}
