using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Emulator.Posix;

namespace Emulator.Vmm;

/// <summary>
/// Starts the VM's device servers (or connects to ones a user started), notices at once when
/// one goes away, and stops them all with the VM. A server's death is reported through
/// <see cref="ServerExited"/> and logged; the VM keeps running. No server outlives the
/// emulator: StopAll on exit, exception and termination signals (see
/// <see cref="DeviceManagerOptions.HandleTerminationSignals"/>), and each spawned server's
/// parent-death signal when the emulator is killed outright.
/// </summary>
public sealed class DeviceManager : IDisposable
{
    /// <summary>After SIGKILL a process is gone within milliseconds unless stuck in the kernel.</summary>
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    private readonly DeviceManagerOptions _options;
    private readonly SpawnerThread _spawner = new();
    private readonly HangupWatcher _watcher = new();
    private readonly TerminationHooks? _hooks;
    private readonly Lock _lock = new();
    private readonly List<DeviceConnection> _connections = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private bool _disposed;

    public DeviceManager(DeviceManagerOptions? options = null)
    {
        _options = options ?? new DeviceManagerOptions();
        if (_options.HandleTerminationSignals)
        {
            _hooks = new TerminationHooks(StopAll);
        }
    }

    /// <summary>Raised once per connection when its server exits or hangs up (on a thread-pool thread).</summary>
    public event EventHandler<DeviceServerExitedEventArgs>? ServerExited;

    public IReadOnlyList<DeviceConnection> Connections
    {
        get
        {
            lock (_lock)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="command"/> with one end of a new socketpair as <c>--fd N</c> and our
    /// pid as <c>--parent-pid</c>; returns the connection holding the other end.
    /// </summary>
    public DeviceConnection Spawn(string id, DeviceServerCommand command)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(command);
        ReserveId(id);
        Process process;
        SafeFd socket;
        try
        {
            (process, socket) = _spawner.Invoke(() => StartProcess(id, command));
        }
        catch
        {
            ReleaseId(id);
            throw;
        }

        var connection = new DeviceConnection(id, socket, process, null);
        Add(connection);
        process.Exited += (_, _) => Report(connection, ExitStatusOf(process));
        process.EnableRaisingEvents = true;
        return connection;
    }

    /// <summary>Connects to a server someone else started, listening on <paramref name="socketPath"/>.</summary>
    public DeviceConnection Connect(string id, string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ReserveId(id);
        SafeFd socket;
        try
        {
            socket = UnixSocket.Connect(socketPath);
        }
        catch (PosixException e)
        {
            ReleaseId(id);
            throw new DeviceManagerException($"cannot connect to device server '{id}' at {socketPath}: {e.Message}", e);
        }

        var connection = new DeviceConnection(id, socket, null, socketPath);
        Add(connection);
        return connection;
    }

    /// <summary>
    /// Stops one server: SIGTERM, SIGKILL after the grace period, then shuts its socket down
    /// (a server we only connected to just sees the hang-up and waits for its next front-end).
    /// </summary>
    public void Stop(DeviceConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        StopMany([connection], expected: true);
    }

    /// <summary>Stops every server at once (one shared grace period). Safe to call repeatedly and concurrently.</summary>
    public void StopAll() => StopMany(Connections, expected: true);

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        StopAll();
        _hooks?.Dispose();
        _watcher.Dispose();

        // Every child is gone by now, so the spawner thread's exit (their parent-death trigger) is harmless.
        _spawner.Dispose();
        foreach (DeviceConnection connection in Connections)
        {
            connection.Socket.Dispose();
            connection.Process?.Dispose();
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Null only if Dispose released the process while its Exited event was in flight.</summary>
    private static int? ExitStatusOf(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// HasExited and WaitForExit that treat a Process released by Dispose (racing with a signal
    /// handler or a hang-up callback) as exited: by then StopAll has already waited for it.
    /// </summary>
    private static bool HasExited(Process process) => WaitForExit(process, TimeSpan.Zero);

    private static bool WaitForExit(Process process, TimeSpan timeout)
    {
        try
        {
            return process.WaitForExit(timeout);
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>Runs on the spawner thread only.</summary>
    private static (Process Process, SafeFd Socket) StartProcess(string id, DeviceServerCommand command)
    {
        (SafeFd ours, SafeFd theirs) = UnixSocket.CreatePair();
        try
        {
            var info = new ProcessStartInfo(command.FileName) { UseShellExecute = false };
            foreach (string argument in command.Arguments)
            {
                info.ArgumentList.Add(argument);
            }

            info.ArgumentList.Add("--fd");
            info.ArgumentList.Add(Invariant(theirs.Number));
            info.ArgumentList.Add("--parent-pid");
            info.ArgumentList.Add(Invariant(ProcessControl.CurrentId));

            // The child's end becomes inheritable only for the instant of this fork. Spawns are
            // serialized on this thread, so no other spawn can pick it up; a Process.Start on
            // some other thread of the emulator during this window could still leak it into an
            // unrelated child, so every process start in the emulator must go through here.
            Fd.SetCloseOnExec(theirs, false);
            Process process = Process.Start(info)
                ?? throw new DeviceManagerException($"cannot start device server '{id}' ({command.FileName})");
            return (process, ours);
        }
        catch (Win32Exception e)
        {
            ours.Dispose();
            throw new DeviceManagerException($"cannot start device server '{id}' ({command.FileName}): {e.Message}", e);
        }
        catch
        {
            ours.Dispose();
            throw;
        }
        finally
        {
            theirs.Dispose();
        }
    }

    private void ReserveId(string id)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_ids.Add(id))
            {
                throw new ArgumentException($"a device server with id '{id}' already exists", nameof(id));
            }
        }
    }

    private void ReleaseId(string id)
    {
        lock (_lock)
        {
            _ids.Remove(id);
        }
    }

    private void Add(DeviceConnection connection)
    {
        lock (_lock)
        {
            _connections.Add(connection);
        }

        connection.WatchId = _watcher.Watch(connection.Socket, () => OnHangup(connection));
    }

    private void OnHangup(DeviceConnection connection)
    {
        if (connection.Process is not Process process)
        {
            Report(connection, null);
            return;
        }

        // A spawned server is reported by Process.Exited, with its status. One that closed its
        // socket but lingers is useless to us and is stopped.
        if (!connection.IsStopping && !WaitForExit(process, _options.StopGracePeriod) && !connection.IsStopping)
        {
            _options.Log($"{connection} closed its connection but did not exit; stopping it");
            StopMany([connection], expected: false);
        }
    }

    private void Report(DeviceConnection connection, int? exitStatus)
    {
        if (!connection.TryEnd(exitStatus))
        {
            return;
        }

        _watcher.Unwatch(connection.WatchId);
        bool expected = connection.IsStopping;
        if (!expected)
        {
            _options.Log(exitStatus is int status ? $"{connection} exited with status {status}" : $"{connection} hung up");
        }

        ServerExited?.Invoke(this, new DeviceServerExitedEventArgs(connection, expected));
    }

    /// <summary><paramref name="expected"/> false: the server is being put down after failing on its own, and its exit is still news.</summary>
    private void StopMany(IReadOnlyList<DeviceConnection> connections, bool expected)
    {
        foreach (DeviceConnection connection in connections)
        {
            if (expected)
            {
                connection.MarkStopping();
            }

            if (connection.Process is Process process && connection.ProcessId is int pid && !HasExited(process))
            {
                // A tiny window remains between HasExited and kill in which the child could be
                // reaped and its pid reused; .NET gives no pidfd to close it.
                ProcessControl.Kill(pid, Signals.SIGTERM);
            }
        }

        DateTime deadline = DateTime.UtcNow + _options.StopGracePeriod;
        foreach (DeviceConnection connection in connections)
        {
            if (connection.Process is Process process && connection.ProcessId is int pid)
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                if (!WaitForExit(process, left > TimeSpan.Zero ? left : TimeSpan.Zero))
                {
                    _options.Log($"{connection} did not stop after SIGTERM; sending SIGKILL");
                    ProcessControl.Kill(pid, Signals.SIGKILL);
                    if (!WaitForExit(process, KillWait))
                    {
                        _options.Log($"{connection} survived SIGKILL");
                    }
                }
            }

            ShutdownSocket(connection);
        }
    }

    private static void ShutdownSocket(DeviceConnection connection)
    {
        if (connection.Socket.IsClosed)
        {
            return;
        }

        try
        {
            UnixSocket.Shutdown(connection.Socket);
        }
        catch (PosixException e) when (e.Errno == Errno.EBADF)
        {
            // Already closed by Dispose on another thread.
        }
    }
}
