using System.Collections.Concurrent;
using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.System.Tests.Virtio;

/// <summary>
/// The built emu-block as a server someone else started: always on the same socket path, killed and started
/// again there by the test (as a supervisor would), never by the emulator.
/// </summary>
internal sealed class ExternalEmuBlock : IDisposable
{
    private readonly object _gate = new();
    private readonly string? _program;
    private readonly string _socketPath;
    private readonly string[] _args;
    private Process? _current;
    private int _starts;

    /// <summary>The emu-block next to the tests (null <paramref name="program"/>) or <paramref name="program"/> (bin/emu-block, say).</summary>
    public ExternalEmuBlock(string? program, string socketPath, params string[] args)
    {
        _program = program;
        _socketPath = socketPath;
        _args = args;
    }

    /// <summary>What the servers logged, for failure messages.</summary>
    public ConcurrentQueue<string> Stderr { get; } = new();

    /// <summary>The running server's pid (bin/emu-block's launcher execs, so it is the server's own).</summary>
    public int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _current is { HasExited: false } process ? process.Id : null;
            }
        }
    }

    public int Starts
    {
        get
        {
            lock (_gate)
            {
                return _starts;
            }
        }
    }

    /// <summary>
    /// Waits for the previous server to be gone (its image lock with it), starts a new one and returns once its
    /// socket file is there. The stale file of a killed server is removed first, so the file means this one has bound.
    /// </summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_current is { } old)
            {
                Assert.True(old.WaitForExit(30_000), "the previous emu-block is still running");
                old.WaitForExit();
                old.Dispose();
                _current = null;
            }

            File.Delete(_socketPath);
            string[] args = ["--socket-path", _socketPath, .. _args];
            Process process = Process.Start(_program is null ? RespawningEmuBlock.StartInfo(args) : StartInfo(_program, args))
                ?? throw new InvalidOperationException("could not start emu-block");
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    Stderr.Enqueue(e.Data);
                }
            };
            process.BeginErrorReadLine();
            _current = process;
            _starts++;
            long deadline = Environment.TickCount64 + 60_000;
            while (!IsListening(_socketPath))
            {
                Assert.False(process.HasExited, $"emu-block exited: {string.Join(" | ", Stderr)}");
                Assert.True(Environment.TickCount64 < deadline, $"emu-block did not listen on {_socketPath}");
                Thread.Sleep(5);
            }
        }
    }

    /// <summary>
    /// Whether a socket bound to <paramref name="path"/> is listening. The file appears at bind(), before
    /// listen(), and a front-end connecting in between is refused; a probe connection would take the server's
    /// one front-end slot, so the kernel's table is asked instead (flags 00010000 = __SO_ACCEPTCON).
    /// </summary>
    private static bool IsListening(string path) =>
        File.Exists(path) && File.ReadLines("/proc/net/unix").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(f => f.Length >= 8 && f[3] == "00010000" && f[7] == path);

    /// <summary>Everything the servers logged, one line each.</summary>
    public string Log => string.Join('\n', Stderr);

    /// <summary>SIGTERM, as a supervisor stops it; returns its exit status once it is gone (its image closed and unlocked).</summary>
    public int Stop()
    {
        lock (_gate)
        {
            Process process = _current ?? throw new InvalidOperationException("no emu-block was started");
            ProcessControl.Kill(process.Id, Signals.SIGTERM);
            Assert.True(process.WaitForExit(30_000), $"emu-block did not stop on SIGTERM\n{Log}");

            // Exited: this wait only drains its stderr to the end.
            process.WaitForExit();
            return process.ExitCode;
        }
    }

    /// <summary>SIGKILL of the running server, waited for: no chance to flush, close or say goodbye.</summary>
    public void KillHard()
    {
        lock (_gate)
        {
            if (_current is { } process)
            {
                ProcessControl.Kill(process.Id, Signals.SIGKILL);
                Assert.True(process.WaitForExit(30_000), "emu-block survived SIGKILL");
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_current is { } process)
            {
                // With --socket-path the server would wait for the next connection: end it, cleanly.
                if (!process.HasExited)
                {
                    ProcessControl.Kill(process.Id, Signals.SIGTERM);
                }

                if (!process.WaitForExit(30_000))
                {
                    ProcessControl.Kill(process.Id, Signals.SIGKILL);
                    process.WaitForExit(30_000);
                }

                process.Dispose();
                _current = null;
            }
        }
    }

    private static ProcessStartInfo StartInfo(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }
}
