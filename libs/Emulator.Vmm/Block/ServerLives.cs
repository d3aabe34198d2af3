namespace Emulator.Vmm.Block;

/// <summary>
/// The successive servers behind one disk (crash containment): the first one, and each one that took
/// over after the last died. Each life gets its own manager id (<c>ID</c>, then <c>ID#2</c>, ...). For an
/// <c>emu-block</c> of ours a life is a new process, started once the old one is gone, since it holds the
/// image's lock until then. For a server someone else started (a chardev with <c>reconnect=</c>) a life is
/// a new connection to the same socket path, which fails until that someone has started a server again.
/// </summary>
internal sealed class ServerLives
{
    /// <summary>How long a dying server may take to let go of its image before it is stopped outright.</summary>
    private const int ExitWaitMs = 5_000;

    /// <summary>How long the manager may take to see a hang-up the device saw first (so the manager logs it, once).</summary>
    private const int HangupWaitMs = 200;

    private readonly DeviceManager _manager;
    private readonly DeviceServerCommand? _command;
    private readonly string? _socketPath;
    private readonly string _baseId;
    private readonly Lock _lock = new();
    private DeviceConnection _current;
    private int _lives = 1;

    private ServerLives(DeviceManager manager, DeviceServerCommand? command, string? socketPath, string baseId, DeviceConnection first)
    {
        _manager = manager;
        _command = command;
        _socketPath = socketPath;
        _baseId = baseId;
        _current = first;
    }

    public DeviceConnection Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>True when a new life is a new process of ours, false when it is a new connection to someone else's server.</summary>
    public bool Spawns => _command is not null;

    /// <summary>Lives of an <c>emu-block</c> the emulator starts with <paramref name="command"/>.</summary>
    public static ServerLives Spawned(DeviceManager manager, DeviceServerCommand command, string baseId, DeviceConnection first) =>
        new(manager, command, null, baseId, first);

    /// <summary>Lives of a server someone else started, listening on <paramref name="socketPath"/>.</summary>
    public static ServerLives Connected(DeviceManager manager, string socketPath, string baseId, DeviceConnection first) =>
        new(manager, null, socketPath, baseId, first);

    /// <summary>True when <paramref name="serverId"/> is one of this disk's servers.</summary>
    public bool Owns(string serverId) => serverId == _baseId || serverId.StartsWith(_baseId + "#", StringComparison.Ordinal);

    /// <summary>
    /// Starts the next server once the current one has ended, or connects to the socket again; throws
    /// <see cref="DeviceManagerException"/> (nobody listening yet, say). Called by one reconnection thread at a time.
    /// </summary>
    public DeviceConnection Next()
    {
        DeviceConnection old = Current;
        long deadline = Environment.TickCount64 + (_command is not null ? ExitWaitMs : HangupWaitMs);
        while (!old.HasEnded && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(5);
        }

        // A connection that failed without a hang-up (a server that stopped answering) is shut down: it
        // must not take requests of the session that is about to be replayed elsewhere.
        if (!old.HasEnded)
        {
            _manager.Stop(old);
        }

        // A failed attempt leaves its id free again (the manager releases it), so the numbers count lives, not attempts.
        int life;
        lock (_lock)
        {
            life = _lives + 1;
        }

        string id = $"{_baseId}#{life}";
        // The dead server may have allocated qcow2 clusters it never referenced: the next one frees them.
        DeviceConnection next = _command is not null
            ? _manager.Spawn(id, _command with { Arguments = [.. _command.Arguments, "--repair-leaks"] })
            : _manager.Connect(id, _socketPath ?? throw new InvalidOperationException("lives without command or socket path"));
        lock (_lock)
        {
            _lives = life;
            _current = next;
        }

        return next;
    }
}
