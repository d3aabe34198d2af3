using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.Vmm;

/// <summary>
/// One device server as the emulator sees it: our end of its socket, and its process when we
/// started it. The manager owns both; the front-end (vhost-user client) borrows <see cref="Socket"/>.
/// </summary>
public sealed class DeviceConnection
{
    private readonly Lock _lock = new();
    private bool _ended;
    private bool _stopping;
    private bool _settingUp;
    private int? _exitStatus;

    internal DeviceConnection(string id, SafeFd socket, Process? process, string? socketPath, bool settingUp)
    {
        _settingUp = settingUp;
        Id = id;
        Socket = socket;
        Process = process;
        ProcessId = process?.Id;
        SocketPath = socketPath;
    }

    /// <summary>The device id (e.g. "chardev0"), used in messages.</summary>
    public string Id { get; }

    /// <summary>Our end of the connection. Owned by the manager: do not dispose.</summary>
    public SafeFd Socket { get; }

    /// <summary>The server's pid when the manager started it.</summary>
    public int? ProcessId { get; }

    /// <summary>The socket path when the manager connected to a server someone else started.</summary>
    public string? SocketPath { get; }

    /// <summary>True once the server has exited (spawned) or hung up (connected).</summary>
    public bool HasEnded
    {
        get
        {
            lock (_lock)
            {
                return _ended;
            }
        }
    }

    /// <summary>The exit status once a spawned server has exited (128 + n after signal n).</summary>
    public int? ExitStatus
    {
        get
        {
            lock (_lock)
            {
                return _exitStatus;
            }
        }
    }

    internal Process? Process { get; }

    internal long WatchId { get; set; }

    internal bool IsStopping
    {
        get
        {
            lock (_lock)
            {
                return _stopping;
            }
        }
    }

    public override string ToString() =>
        ProcessId is int pid ? $"device server '{Id}' (pid {pid})" : $"device server '{Id}' at {SocketPath}";

    internal void MarkStopping()
    {
        lock (_lock)
        {
            _stopping = true;
        }
    }

    /// <summary>
    /// Records the end once; false if it was already recorded. <paramref name="duringSetUp"/> says the
    /// caller of Spawn still owns the reporting (it is setting the connection up).
    /// </summary>
    internal bool TryEnd(int? exitStatus, out bool duringSetUp)
    {
        lock (_lock)
        {
            duringSetUp = _settingUp;
            if (_ended)
            {
                return false;
            }

            _ended = true;
            _exitStatus = exitStatus;
            return true;
        }
    }

    /// <summary>Ends the set-up phase once; true if the server ended during it (an end nobody has reported yet).</summary>
    internal bool CompleteSetUp()
    {
        lock (_lock)
        {
            bool unreported = _settingUp && _ended;
            _settingUp = false;
            return unreported;
        }
    }
}
