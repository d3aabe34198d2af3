using System.ComponentModel;
using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.Bench;

/// <summary>
/// A vhost-user-blk server process the host half of <c>--block</c> connects to: emu-block or
/// qemu-storage-daemon listening on a UNIX socket. Disposing stops it (SIGTERM, then SIGKILL).
/// </summary>
public sealed class BlockServer : IDisposable
{
    public const string QemuStorageDaemon = "qemu-storage-daemon";
    private const int StartTimeoutMs = 60_000;

    private readonly Process _process;
    private readonly Queue<string> _errors = new();

    private BlockServer(Process process, string socket)
    {
        _process = process;
        Socket = socket;
    }

    public string Socket { get; }

    /// <summary>The last lines the server wrote to stderr, for failure messages.</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return string.Join(" | ", _errors);
            }
        }
    }

    public static BlockServer StartEmuBlock(string emuBlock, string image, string socket) =>
        Start(emuBlock, ["--socket-path", socket, "--blk-file", image, "--format", "raw", "--cache", GuestBlockBench.Cache], socket);

    public static BlockServer StartQemuStorageDaemon(string image, string socket) =>
        Start(QemuStorageDaemon,
            [
                "--blockdev", $"driver=file,node-name=f,filename={image}",
                "--export", $"type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path={socket},writable=on",
            ],
            socket);

    /// <summary>
    /// Connects to the server, retrying (bounded) while it refuses: the socket file appears at bind,
    /// a moment before the server listens.
    /// </summary>
    public SafeFd Connect()
    {
        long deadline = Environment.TickCount64 + StartTimeoutMs;
        while (true)
        {
            try
            {
                return UnixSocket.Connect(Socket);
            }
            catch (PosixException e) when (e.Errno == Errno.ECONNREFUSED && Environment.TickCount64 < deadline && !_process.HasExited)
            {
                Thread.Sleep(10);
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            ProcessControl.Kill(_process.Id, Signals.SIGTERM);
            if (!_process.WaitForExit(30_000))
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }

        _process.Dispose();
    }

    private static BlockServer Start(string program, string[] arguments, string socket)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start {program}: {e.Message}", e);
        }

        var server = new BlockServer(process, socket);
        process.ErrorDataReceived += (_, e) => server.Remember(e.Data);
        process.OutputDataReceived += (_, e) => server.Remember(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        long deadline = Environment.TickCount64 + StartTimeoutMs;
        while (!File.Exists(socket))
        {
            if (process.HasExited || Environment.TickCount64 > deadline)
            {
                string errors = server.Errors;
                server.Dispose();
                throw new InvalidOperationException($"{program} did not start listening on {socket}: {errors}");
            }

            Thread.Sleep(10);
        }

        return server;
    }

    private void Remember(string? line)
    {
        if (line is not { Length: > 0 })
        {
            return;
        }

        lock (_errors)
        {
            _errors.Enqueue(line.Length > 300 ? line[..300] : line);
            if (_errors.Count > 5)
            {
                _errors.Dequeue();
            }
        }
    }
}
