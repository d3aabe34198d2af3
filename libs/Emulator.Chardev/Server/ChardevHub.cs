using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// The one chardev of a server process, alive across front-end connections: the backend, the
/// mux when the spec asks for one, a <see cref="ByteStreamPump"/>, and one <see cref="ChardevPort"/>
/// per front-end. The backend's connection changes and the mux's commands come out as
/// <see cref="EventRaised"/> (on backend and pump threads).
/// </summary>
public sealed class ChardevHub : IDisposable
{
    /// <summary>Bytes per direction buffered between the pump and a front-end.</summary>
    public const int DefaultRingCapacity = 64 * 1024;

    /// <summary>How long shutdown waits for output still queued toward the backend.</summary>
    private const int OutputDrainMs = 500;

    private readonly IChardevBackend _backend;
    private readonly ChardevMux? _mux;
    private readonly ChardevPort[] _ports;
    private readonly Action<string> _log;
    private readonly Lock _lock = new();
    private ByteStreamPump? _pump;
    private bool _disposed;

    /// <param name="spec">The chardev to serve.</param>
    /// <param name="frontEndCount">Front-ends (streams) the CPU process will use; more than one needs <c>mux=on</c>.</param>
    /// <param name="context">Where backend messages go and what stands in for stdio.</param>
    /// <param name="ringCapacity">Per-direction buffer of each port.</param>
    public ChardevHub(ChardevSpec spec, int frontEndCount, ChardevContext? context = null, int ringCapacity = DefaultRingCapacity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (frontEndCount < 1 || frontEndCount > ByteStreamProtocol.MaxStreams)
        {
            throw new ArgumentOutOfRangeException(nameof(frontEndCount), $"a chardev has 1..{ByteStreamProtocol.MaxStreams} front-ends");
        }

        if (frontEndCount > 1 && !spec.Mux)
        {
            throw new ArgumentException($"chardev '{spec.Id}' is already in use (it has {frontEndCount} front-ends but no mux=on)", nameof(frontEndCount));
        }

        Spec = spec;
        _log = (context ?? ChardevContext.Default).Report;
        _mux = spec.Mux ? new ChardevMux(frontEndCount) : null;
        _ports = new ChardevPort[frontEndCount];
        try
        {
            for (int i = 0; i < _ports.Length; i++)
            {
                _ports[i] = new ChardevPort(i, ringCapacity);
            }

            _backend = ChardevFactory.Create(spec, context);
        }
        catch
        {
            foreach (ChardevPort? port in _ports)
            {
                port?.Dispose();
            }

            throw;
        }

        _backend.Connected += () => Raise(new ChardevEvent(ChardevEventKind.Opened, 0));
        _backend.Disconnected += () => Raise(new ChardevEvent(ChardevEventKind.Closed, 0));
    }

    /// <summary>Connection changes and mux commands, raised on the thread that noticed them.</summary>
    public event Action<ChardevEvent>? EventRaised;

    public ChardevSpec Spec { get; }

    public IReadOnlyList<ChardevPort> Ports => _ports;

    /// <summary>The backend has a peer (a terminal, a socket client...).</summary>
    public bool IsOpen => _backend.IsConnected;

    /// <summary>The front-end the mux gives input to (0 without a mux).</summary>
    public int Focus => _mux?.Focus ?? 0;

    /// <summary>
    /// Opens the backend (blocking where QEMU does, e.g. <c>wait=on</c>) and starts the pump; later
    /// calls return at once. Throws <see cref="ChardevException"/> with a message for the user.
    /// </summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pump is not null)
            {
                return;
            }

            try
            {
                _backend.Start();
            }
            catch (PosixException e)
            {
                throw new ChardevException($"chardev '{Spec.Id}': {e.Message}", e);
            }

            ByteStreamPump pump = new(_backend, [.. _ports.Select(p => p.PumpChannel)], _mux);
            pump.ExitRequested += () => Raise(new ChardevEvent(ChardevEventKind.ExitRequested, 0));
            pump.BreakRequested += stream => Raise(new ChardevEvent(ChardevEventKind.Break, (uint)stream));
            pump.FocusChanged += (_, current) => Raise(new ChardevEvent(ChardevEventKind.FocusChanged, (uint)current));
            pump.CommitRequested += () => Raise(new ChardevEvent(ChardevEventKind.CommitRequested, 0));
            pump.Faulted += e => _log($"chardev '{Spec.Id}': {e.Message}");
            pump.Start();
            _pump = pump;
        }
    }

    /// <summary>Unblocks a <see cref="Start"/> in progress and stops the backend for good (process shutdown).</summary>
    public void Stop() => _backend.Stop();

    /// <summary>Only after every port owner has stopped using its port.</summary>
    public void Dispose()
    {
        _pump?.Drain(OutputDrainMs);
        _backend.Stop();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _pump?.Dispose();
        _backend.Dispose();
        foreach (ChardevPort port in _ports)
        {
            port.Dispose();
        }
    }

    private void Raise(ChardevEvent e) => EventRaised?.Invoke(e);
}
