using Emulator.Tests.Shared;
using System.Collections.Concurrent;
using System.Diagnostics;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Vmm;

namespace Emulator.System.Tests.Virtio;

/// <summary>
/// The built emu-block serving one image on a fresh socket path per life; <see cref="Spawn"/> is what a machine
/// gives <c>VhostUserPciDeviceOptions.Reconnect</c>. Listening sockets (not an inherited socketpair end) keep
/// the server's end out of any other child this test process starts, so its death is seen as a hang-up.
/// </summary>
internal sealed class RespawningEmuBlock : IDisposable
{
    private readonly object _gate = new();
    private readonly string[] _args;
    private readonly string _directory;
    private Process? _current;
    private int _lives;

    public RespawningEmuBlock(string directory, params string[] args)
    {
        _directory = directory;
        _args = args;
    }

    /// <summary>What the servers logged, for failure messages.</summary>
    public ConcurrentQueue<string> Stderr { get; } = new();

    public int Lives
    {
        get
        {
            lock (_gate)
            {
                return _lives;
            }
        }
    }

    /// <summary>Waits for the previous server to be gone (its image lock with it), starts a new one and connects.</summary>
    public VhostUserFrontend Spawn()
    {
        lock (_gate)
        {
            if (_current is { } old)
            {
                if (!old.WaitForExit(30_000))
                {
                    throw new DeviceManagerException("the previous emu-block is still running");
                }

                // Exited: this wait only drains its stderr to the end.
                old.WaitForExit();
                old.Dispose();
                _current = null;
            }

            string path = Path.Combine(_directory, $"blk{_lives++}.sock");
            Process process = Process.Start(StartInfo(["--socket-path", path, .. _args]))
                ?? throw new DeviceManagerException("could not start emu-block");
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    Stderr.Enqueue(e.Data);
                }
            };
            process.BeginErrorReadLine();
            _current = process;
            long deadline = Environment.TickCount64 + 60_000;
            while (true)
            {
                if (File.Exists(path))
                {
                    try
                    {
                        return new VhostUserFrontend(UnixSocket.Connect(path, 10_000), 30_000);
                    }
                    catch (PosixException) when (Environment.TickCount64 < deadline && !process.HasExited)
                    {
                        // Bound but not yet listening.
                    }
                }

                if (process.HasExited || Environment.TickCount64 > deadline)
                {
                    throw new DeviceManagerException($"emu-block did not start listening on {path}");
                }

                Thread.Sleep(5);
            }
        }
    }

    /// <summary>SIGKILL of the running server: no chance to flush, close or say goodbye.</summary>
    public void KillHard()
    {
        lock (_gate)
        {
            if (_current is { } process)
            {
                ProcessControl.Kill(process.Id, Signals.SIGKILL);
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
                ProcessControl.Kill(process.Id, Signals.SIGTERM);
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

    internal static ProcessStartInfo StartInfo(string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost.Path)
        {
            UseShellExecute = false,
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
