using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.Vmm;

/// <summary>
/// Starts the VM's device servers (or connects to ones a user started), notices at once when
/// one goes away, and stops them all with the VM. A server's death is reported through
/// <see cref="ServerExited"/> and logged; the VM keeps running. No server outlives the
/// emulator: StopAll on exit, exception and termination signals (see
/// <see cref="DeviceManagerOptions.HandleTerminationSignals"/>), and each spawned server's
/// parent-death signal when the emulator is killed outright. Launching is
/// <see cref="DeviceServerLauncher"/>'s job and stopping <see cref="DeviceServerStopper"/>'s; this
/// class keeps the books and reports ends.
/// </summary>
public sealed class DeviceManager : IDisposable
{
    private readonly DeviceManagerOptions _options;
    private readonly DiagnosticLog _log;
    private readonly DeviceServerStopper _stopper;
    private readonly SpawnerThread _spawner = new();
    private readonly HangupWatcher _watcher;
    private readonly TerminationHooks? _hooks;
    private readonly Lock _lock = new();
    private readonly List<DeviceConnection> _connections = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private bool _disposed;

    public DeviceManager(DeviceManagerOptions? options = null)
    {
        _options = options ?? new DeviceManagerOptions();
        _log = new DiagnosticLog(_options.Log);
        _stopper = new DeviceServerStopper(_options.StopGracePeriod, _log);
        _watcher = new HangupWatcher(_log);
        if (_options.HandleTerminationSignals)
        {
            _hooks = new TerminationHooks(() => _log.Guard("stopping the device servers", StopAll));
        }
    }

    /// <summary>
    /// Raised once per connection when its server exits or hangs up (on a thread-pool thread). A
    /// handler that throws is logged through <see cref="DeviceManagerOptions.Log"/>; the others still run.
    /// </summary>
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
    /// <param name="id">The device id, unique in this manager.</param>
    /// <param name="command">The server program and its own arguments.</param>
    /// <param name="callerReportsSetUpFailure">
    /// The caller sets the connection up and reports its failure itself (one message, not two): until
    /// <see cref="CompleteSetUp"/>, an end of the server is not logged here (<see cref="ServerExited"/>
    /// is still raised, and <see cref="DeviceConnection.ExitStatus"/> has the status for the caller's message).
    /// </param>
    public DeviceConnection Spawn(string id, DeviceServerCommand command, bool callerReportsSetUpFailure = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(command);
        ReserveId(id);
        Process process;
        SafeFd socket;
        try
        {
            (process, socket) = _spawner.Invoke(() => DeviceServerLauncher.Start(id, command));
        }
        catch
        {
            ReleaseId(id);
            throw;
        }

        var connection = new DeviceConnection(id, socket, process, null, callerReportsSetUpFailure);
        Add(connection);
        process.Exited += (_, _) =>
            _log.Guard($"reporting the exit of {connection}", () => Report(connection, ProcessWaits.ExitStatusOf(process)));
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

        var connection = new DeviceConnection(id, socket, null, socketPath, settingUp: false);
        Add(connection);
        return connection;
    }

    /// <summary>
    /// Ends the set-up phase of a connection spawned with <c>callerReportsSetUpFailure</c>: from now on
    /// its end is logged here. A server that ended during set-up (after its last answer) is logged now.
    /// </summary>
    public void CompleteSetUp(DeviceConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.CompleteSetUp() && !connection.IsStopping)
        {
            _log.Write(EndMessage(connection, connection.ExitStatus));
        }
    }

    /// <summary>
    /// Stops one server: SIGTERM, SIGKILL after the grace period, then shuts its socket down
    /// (a server we only connected to just sees the hang-up and waits for its next front-end).
    /// </summary>
    public void Stop(DeviceConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _stopper.Stop([connection], expected: true);
    }

    /// <summary>Stops every server at once (one shared grace period). Safe to call repeatedly and concurrently.</summary>
    public void StopAll() => _stopper.Stop(Connections, expected: true);

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
        if (!connection.IsStopping && !ProcessWaits.WaitForExit(process, _options.StopGracePeriod) && !connection.IsStopping)
        {
            _log.Write($"{connection} closed its connection but did not exit; stopping it");
            _stopper.Stop([connection], expected: false);
        }
    }

    private static string EndMessage(DeviceConnection connection, int? exitStatus) =>
        exitStatus is int status ? $"{connection} exited with status {status}" : $"{connection} hung up";

    private void Report(DeviceConnection connection, int? exitStatus)
    {
        if (!connection.TryEnd(exitStatus, out bool duringSetUp))
        {
            return;
        }

        _watcher.Unwatch(connection.WatchId);
        bool expected = connection.IsStopping;
        if (!expected && !duringSetUp)
        {
            _log.Write(EndMessage(connection, exitStatus));
        }

        EventHandler<DeviceServerExitedEventArgs>? handlers = ServerExited;
        if (handlers is null)
        {
            return;
        }

        var args = new DeviceServerExitedEventArgs(connection, expected);
        foreach (EventHandler<DeviceServerExitedEventArgs> handler in handlers.GetInvocationList().Cast<EventHandler<DeviceServerExitedEventArgs>>())
        {
            _log.Guard($"a ServerExited handler for {connection}", () => handler(this, args));
        }
    }
}
