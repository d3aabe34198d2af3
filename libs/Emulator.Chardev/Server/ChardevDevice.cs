using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.Chardev;

/// <summary>
/// The chardev server's <see cref="IVhostUserDevice"/>: the process's one <see cref="ChardevHub"/>
/// offered to the CPU process as byte streams (EMU_SET_BYTE_STREAM, one per mux front-end: the
/// platform UARTs, the monitor) and as a virtio-console (device id 3, receiveq0/transmitq0). The
/// console plays front-end 0 when no byte stream holds it. Hub events (backend opened/closed, the
/// mux's C-a commands) go back as EMU_CHARDEV_EVENT on the BACKEND_REQ channel of the current
/// session. The device outlives sessions: <see cref="BeginSession"/>/<see cref="EndSession"/> bracket each.
/// </summary>
public sealed class ChardevDevice : IVhostUserDevice, IDisposable
{
    private readonly ChardevHub _hub;
    private readonly Action<string> _log;
    private readonly Lock _sessionLock = new();
    private readonly Lock _eventLock = new();
    private readonly object _consoleClaim = new();
    private readonly ByteStreamAttachment?[] _streams;
    private readonly ConsoleQueue?[] _queues = new ConsoleQueue?[VirtioConsoleLayout.QueueCount];
    private VhostUserBackend? _session;
    private ChardevPort? _consolePort;
    private ulong _features;
    private bool _disposed;

    public ChardevDevice(ChardevHub hub, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(log);
        _hub = hub;
        _log = log;
        _streams = new ByteStreamAttachment?[hub.Ports.Count];
        hub.EventRaised += Forward;
    }

    public ulong Features =>
        VirtioConsoleLayout.FeatureVersion1 | VirtioConsoleLayout.FeatureIndirectDescriptors | VirtioConsoleLayout.FeatureEventIndex;

    public VhostUserProtocolFeatures ProtocolFeatures =>
        VhostUserProtocolFeatures.ReplyAck | VhostUserProtocolFeatures.BackendReq | VhostUserProtocolFeatures.Config
        | VhostUserProtocolFeatures.InflightShmfd | VhostUserProtocolFeatures.ResetDevice | VhostUserProtocolFeatures.Status
        | VhostUserProtocolFeatures.ConfigureMemSlots | ByteStreamProtocol.EmuByteStreams;

    public int QueueCount => VirtioConsoleLayout.QueueCount;

    public ushort MaxQueueSize => VirtioConsoleLayout.MaxQueueSize;

    public uint ConfigSize => VirtioConsoleLayout.ConfigSize;

    public IReadOnlyList<VendorRequest> VendorRequests => ByteStreamProtocol.FrontendRequests;

    /// <summary>The virtio features the driver acknowledged in this session.</summary>
    public ulong AckedFeatures => _features;

    public byte[] ReadConfig(uint offset, uint size) => VirtioConsoleLayout.Config().AsSpan((int)offset, (int)size).ToArray();

    /// <summary>Without F_SIZE and F_EMERG_WRITE every field is read-only; writes are ignored, as virtio allows.</summary>
    public void WriteConfig(uint offset, ReadOnlySpan<byte> data)
    {
    }

    public void SetFeatures(ulong acked) => _features = acked;

    public void StartQueue(int index, VringSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ChardevPort? port = ClaimConsolePort();
        ConsoleQueue queue = index == VirtioConsoleLayout.ReceiveQueue
            ? new ConsoleReceiveQueue(setup, port, _log)
            : new ConsoleTransmitQueue(setup, port, _log);
        _queues[index] = queue;
        queue.Start();
    }

    public ushort StopQueue(int index)
    {
        ConsoleQueue? queue = _queues[index] ?? throw new InvalidOperationException($"queue {index} is not running");
        ushort next = queue.Stop();
        _queues[index] = null;
        if (_queues.All(q => q is null))
        {
            ReleaseConsolePort();
        }

        return next;
    }

    /// <summary>RESET_DEVICE resets the virtio-console; byte streams are not virtio state and stay attached.</summary>
    public void Reset()
    {
        ReleaseConsolePort();
        _features = 0;
    }

    public byte[]? HandleVendorRequest(uint request, ReadOnlySpan<byte> payload, SafeFd[] fds)
    {
        ByteStreamRequest parsed;
        try
        {
            if (request != ByteStreamProtocol.SetByteStream)
            {
                throw new VhostUserProtocolException($"chardev server does not handle vendor request {request}");
            }

            parsed = ByteStreamRequest.Parse(payload);
            if (parsed.Stream >= (uint)_hub.Ports.Count)
            {
                throw new VhostUserProtocolException(
                    $"EMU_SET_BYTE_STREAM names stream {parsed.Stream}, but chardev '{_hub.Spec.Id}' has {_hub.Ports.Count} front-end(s)");
            }
        }
        catch
        {
            foreach (SafeFd fd in fds)
            {
                fd.Dispose();
            }

            throw;
        }

        int stream = (int)parsed.Stream;
        _streams[stream]?.Dispose();
        _streams[stream] = null;
        _streams[stream] = ByteStreamAttachment.Attach(_hub.Ports[stream], fds, _log);

        ReportState();
        return null;
    }

    /// <summary>A session starts serving this device (called before its Run).</summary>
    public void BeginSession(VhostUserBackend session)
    {
        lock (_sessionLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _session = session;
        }
    }

    /// <summary>
    /// The session ended (its rings already stopped): the connection's byte streams go, and the
    /// virtio state is forgotten; the next front-end negotiates afresh.
    /// </summary>
    public void EndSession()
    {
        lock (_sessionLock)
        {
            _session = null;
        }

        DetachAll();
    }

    /// <summary>
    /// Stops every front-end of the device; the hub is the caller's. While a session still runs (a
    /// shutdown that timed out) its threads may be using the rings, so they are left to process exit.
    /// </summary>
    public void Dispose()
    {
        bool sessionActive;
        lock (_sessionLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            sessionActive = _session is not null;
        }

        _hub.EventRaised -= Forward;
        if (!sessionActive)
        {
            DetachAll();
        }
    }

    /// <summary>True between <see cref="BeginSession"/> and <see cref="EndSession"/>.</summary>
    public bool HasSession
    {
        get
        {
            lock (_sessionLock)
            {
                return _session is not null;
            }
        }
    }

    private void DetachAll()
    {
        for (int i = 0; i < _queues.Length; i++)
        {
            _queues[i]?.Stop();
            _queues[i] = null;
        }

        ReleaseConsolePort();
        for (int i = 0; i < _streams.Length; i++)
        {
            _streams[i]?.Dispose();
            _streams[i] = null;
        }

        _features = 0;
    }

    private ChardevPort? ClaimConsolePort()
    {
        if (_consolePort is null && _hub.Ports[0].TryClaim(_consoleClaim))
        {
            _consolePort = _hub.Ports[0];
        }

        return _consolePort;
    }

    private void ReleaseConsolePort()
    {
        _consolePort?.Release(_consoleClaim);
        _consolePort = null;
    }

    /// <summary>
    /// Tells the front-end the state it may have missed before it attached: a terminal or client that
    /// is already there, and where the mux focus is. Read and sent under the event lock, so a change
    /// the pump reports meanwhile is always sent after this snapshot, never before.
    /// </summary>
    private void ReportState()
    {
        lock (_eventLock)
        {
            if (_hub.IsOpen)
            {
                Forward(new ChardevEvent(ChardevEventKind.Opened, 0));
            }

            if (_hub.Spec.Mux)
            {
                Forward(new ChardevEvent(ChardevEventKind.FocusChanged, (uint)_hub.Focus));
            }
        }
    }

    private void Forward(ChardevEvent e)
    {
        lock (_eventLock)
        {
            Send(e);
        }
    }

    /// <summary>Sends a hub event to the current front-end, if it negotiated byte streams and gave us a channel.</summary>
    private void Send(ChardevEvent e)
    {
        VhostUserBackend? session;
        lock (_sessionLock)
        {
            session = _session;
        }

        if (session is null || (session.AckedProtocolFeatures & ByteStreamProtocol.EmuByteStreams) == 0)
        {
            return;
        }

        try
        {
            session.SendBackendRequest(ByteStreamProtocol.ChardevEventRequest, e.ToArray());
        }
        catch (VhostUserProtocolException ex)
        {
            _log($"chardev '{_hub.Spec.Id}': could not report {e.Kind} to the front-end: {ex.Message}");
        }
        catch (ObjectDisposedException)
        {
            // The session closed between the lookup and the send: nobody is left to tell.
        }
    }
}
