namespace Emulator.Vmm.Block;

/// <summary>
/// The successive <c>emu-block</c> processes behind one disk: the first one, and each one started
/// after the last died (crash containment). Each life gets its own manager id (<c>ID</c>, then
/// <c>ID#2</c>, ...); the old process is waited for before the new one opens the image, since it
/// holds the image's lock until it is gone.
/// </summary>
internal sealed class ServerLives
{
    /// <summary>How long a dying server may take to let go of its image before it is stopped outright.</summary>
    private const int ExitWaitMs = 5_000;

    private readonly DeviceManager _manager;
    private readonly DeviceServerCommand _command;
    private readonly string _baseId;
    private DeviceConnection _current;
    private int _lives = 1;

    public ServerLives(DeviceManager manager, DeviceServerCommand command, string baseId, DeviceConnection first)
    {
        _manager = manager;
        _command = command;
        _baseId = baseId;
        _current = first;
    }

    public DeviceConnection Current => Volatile.Read(ref _current);

    /// <summary>True when <paramref name="serverId"/> is one of this disk's processes.</summary>
    public bool Owns(string serverId) => serverId == _baseId || serverId.StartsWith(_baseId + "#", StringComparison.Ordinal);

    /// <summary>Starts the next server once the current one has ended; throws <see cref="DeviceManagerException"/>.</summary>
    public DeviceConnection Respawn()
    {
        DeviceConnection old = Current;
        long deadline = Environment.TickCount64 + ExitWaitMs;
        while (!old.HasEnded && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(5);
        }

        if (!old.HasEnded)
        {
            _manager.Stop(old);
        }

        int life = Interlocked.Increment(ref _lives);
        // The dead server may have allocated qcow2 clusters it never referenced: the next one frees them.
        DeviceConnection next = _manager.Spawn($"{_baseId}#{life}", _command with { Arguments = [.. _command.Arguments, "--repair-leaks"] });
        Volatile.Write(ref _current, next);
        return next;
    }
}
