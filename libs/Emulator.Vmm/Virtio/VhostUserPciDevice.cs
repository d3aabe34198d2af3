using Emulator.Memory;
using Emulator.Platform;
using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.Vmm;

/// <summary>
/// A virtio-pci function whose device is a vhost-user server. Features come from GET_FEATURES (less the
/// protocol-features bit), device configuration from GET_CONFIG / SET_CONFIG. At DRIVER_OK: SET_FEATURES,
/// SET_MEM_TABLE, the in-flight log when negotiated, then per ring NUM, BASE, ADDR, CALL, KICK and ENABLE.
/// A guest notification is a write to the ring's kick eventfd and a server's call eventfd becomes an interrupt
/// through <c>post</c> (the vCPU thread), with no socket message on either path. A guest reset stops every
/// started ring (GET_VRING_BASE) and sends RESET_DEVICE when negotiated. A server that fails or misbehaves puts
/// the device in DEVICE_NEEDS_RESET instead of throwing into the vCPU, unless
/// <see cref="VhostUserPciDeviceOptions.Reconnect"/> is given: then the server is replaced and the session
/// replayed (VhostUserPciDevice.Reconnect.cs). Guest-facing members run on the vCPU thread; the session state
/// is guarded by one lock shared with the reconnection thread.
/// </summary>
public sealed partial class VhostUserPciDevice : IVirtioDeviceBackend, IDisposable
{
    private const VhostUserProtocolFeatures WantedProtocol =
        VhostUserProtocolFeatures.Mq | VhostUserProtocolFeatures.ReplyAck | VhostUserProtocolFeatures.Config | VhostUserProtocolFeatures.ResetDevice;

    private readonly object _gate = new();
    private readonly GuestMemory _memory;
    private readonly VhostUserPciDeviceOptions _options;
    private readonly Action<Action> _post;
    private readonly EventFd[] _kicks;
    private readonly EventFd[] _calls;
    private readonly CallWatcher _watcher;
    private readonly List<VirtioQueueConfig> _rings = [];
    private readonly bool _protocolFeatures;
    private readonly VhostUserProtocolFeatures _protocol;
    private readonly bool _logsWrites;
    private VhostUserFrontend _frontend;
    private ulong _sessionFeatures;
    private int _generation;
    private bool _broken;
    private DirtyLog? _dirtyLog;

    /// <summary>Negotiates ownership and protocol features with the server; owns <paramref name="frontend"/> from here on.</summary>
    /// <param name="post">Runs work on the vCPU thread (<c>PcPlatform.Post</c>).</param>
    public VhostUserPciDevice(VhostUserFrontend frontend, GuestMemory memory, ApicBus apicBus, Action<Action> post, VhostUserPciDeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(frontend);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(post);
        ArgumentNullException.ThrowIfNull(options);
        _frontend = frontend;
        _memory = memory;
        _post = post;
        _options = options;

        _frontend.SetOwner();
        ulong offered = _frontend.GetFeatures();
        _protocolFeatures = (offered & VhostUserFeatureBits.ProtocolFeatures) != 0;
        if (_protocolFeatures)
        {
            VhostUserProtocolFeatures wanted = WantedProtocol
                | (options.InvalidateCode is not null ? VhostUserProtocolFeatures.LogShmfd : 0)
                | (options.Reconnect is not null ? VhostUserProtocolFeatures.InflightShmfd : 0);
            _protocol = _frontend.GetProtocolFeatures() & wanted;
            _frontend.SetProtocolFeatures(_protocol);
        }

        // LOG_ALL is vhost-user's, not the guest's: with LOG_SHMFD the server logs every page it writes.
        _logsWrites = (_protocol & VhostUserProtocolFeatures.LogShmfd) != 0 && (offered & VhostUserFeatureBits.LogAll) != 0;
        DeviceFeatures = offered & ~(VhostUserFeatureBits.ProtocolFeatures | VhostUserFeatureBits.LogAll);
        int? serverQueues = (_protocol & VhostUserProtocolFeatures.Mq) != 0 ? (int)Math.Min(_frontend.GetQueueNum(), VirtioPciLayout.MaxQueues) : null;
        QueueCount = options.QueueCount ?? serverQueues
            ?? throw new VhostUserProtocolException("the server does not say how many rings it has (no MQ protocol feature) and no count was given");
        if (QueueCount > serverQueues)
        {
            throw new VhostUserProtocolException($"{QueueCount} queues were asked for, the server has {serverQueues}");
        }

        _configShadow = new byte[options.ConfigSize];
        _kicks = new EventFd[QueueCount];
        _calls = new EventFd[QueueCount];
        for (int i = 0; i < QueueCount; i++)
        {
            _kicks[i] = new EventFd();
            _calls[i] = new EventFd();
        }

        Function = new VirtioPciFunction(this, apicBus);
        _watcher = new CallWatcher(_calls, OnCall, $"{options.Name}-calls", options.Log);
        if (options.Reconnect is not null)
        {
            _watcher.WatchHangup(_frontend.Socket, _connection, OnHangup);
        }
    }

    public VirtioPciFunction Function { get; }

    public int DeviceType => _options.DeviceType;

    public ulong DeviceFeatures { get; }

    public int QueueCount { get; }

    public ushort MaxQueueSize => _options.MaxQueueSize;

    public uint ConfigSize => _options.ConfigSize;

    /// <summary>The server failed; the device stays in DEVICE_NEEDS_RESET and sends nothing more.</summary>
    public bool IsBroken
    {
        get
        {
            lock (_gate)
            {
                return _broken;
            }
        }
    }

    public void ReadConfig(uint offset, Span<byte> destination)
    {
        destination.Clear();
        if ((_protocol & VhostUserProtocolFeatures.Config) == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_broken)
            {
                return;
            }

            if (_connected)
            {
                try
                {
                    // The whole space from offset 0, as QEMU's front-end asks: libvhost-user servers
                    // (qemu-storage-daemon) ignore GET_CONFIG's offset and answer from the start.
                    byte[] config = _frontend.GetConfig(0, ConfigSize);
                    RememberConfig(0, config);
                }
                catch (Exception e) when (e is VhostUserProtocolException or PosixException)
                {
                    Fail("GET_CONFIG", e);
                }
            }

            RecallConfig(offset, destination);
        }
    }

    public void WriteConfig(uint offset, ReadOnlySpan<byte> source)
    {
        if ((_protocol & VhostUserProtocolFeatures.Config) == 0)
        {
            return;
        }

        byte[] data = source.ToArray();
        lock (_gate)
        {
            if (_broken)
            {
                return;
            }

            if (!_connected)
            {
                _options.Log($"{_options.Name}: a configuration write while the server is down is dropped");
                return;
            }

            Try("SET_CONFIG", () => _frontend.SetConfig(offset, data));
            RememberConfig(offset, data);
        }
    }

    public void QueuesReady(ulong driverFeatures, IReadOnlyList<VirtioQueueConfig> queues)
    {
        lock (_gate)
        {
            if (_broken)
            {
                Function.NeedsReset();
                return;
            }

            foreach (VirtioQueueConfig q in queues)
            {
                if (!InOneRegion(q.DescriptorTable, 16UL * q.Size) || !InOneRegion(q.DriverArea, 6 + (2UL * q.Size))
                    || !InOneRegion(q.DeviceArea, 6 + (8UL * q.Size)))
                {
                    _options.Log($"{_options.Name}: queue {q.Index}'s rings do not each lie in one region of guest RAM");
                    Function.NeedsReset();
                    return;
                }
            }

            // Recorded before anything is sent: a reconnection replays exactly this session.
            _sessionFeatures = driverFeatures | (_protocolFeatures ? VhostUserFeatureBits.ProtocolFeatures : 0)
                | (_logsWrites ? VhostUserFeatureBits.LogAll : 0);
            _rings.Clear();
            _rings.AddRange(queues);
            if (_connected)
            {
                Try("starting the rings", () => StartRings(_frontend, resume: false));
            }
        }
    }

    public void Notify(int queue) => _kicks[queue].Signal();

    public void Reset()
    {
        // Calls already on their way belong to the old session: OnCall's work drops them.
        Interlocked.Increment(ref _generation);
        lock (_gate)
        {
            if (!_broken && _connected)
            {
                Try("resetting", () =>
                {
                    foreach (VirtioQueueConfig q in _rings)
                    {
                        _frontend.GetVringBase(q.Index);
                    }

                    _rings.Clear();
                    if ((_protocol & VhostUserProtocolFeatures.ResetDevice) != 0)
                    {
                        _frontend.ResetDevice();
                    }
                });
            }

            _rings.Clear();
            _sessionFeatures = 0;

            // A new driver session gets a new log: entries of this one must never be resubmitted into it.
            _inflightFd?.Dispose();
            _inflightFd = null;
        }

        foreach (EventFd call in _calls)
        {
            call.TryConsume(out _);
        }
    }

    public void Dispose()
    {
        StopReconnecting();
        _watcher.Dispose();
        lock (_gate)
        {
            if (_connected)
            {
                _frontend.Dispose();
            }

            _connected = false;
            _inflightFd?.Dispose();
            _inflightFd = null;
        }

        _dirtyLog?.Dispose();
        foreach (EventFd fd in _kicks.Concat(_calls))
        {
            fd.Dispose();
        }
    }

    /// <summary>The server requires each ring part inside one memory region; checking here keeps a guest from ending the session.</summary>
    private bool InOneRegion(ulong address, ulong length) =>
        _memory.FindRegion(address) is { } region && length <= region.End - address;

    private void OnCall(int queue)
    {
        // Pages the server filled (disk reads of code, say) drop their decoded blocks before the guest hears of it.
        if (_dirtyLog is { } log && _options.InvalidateCode is { } invalidate)
        {
            log.Harvest(page => invalidate(page, DirtyLog.PageSize));
        }

        int generation = Volatile.Read(ref _generation);
        _post(() =>
        {
            if (generation == Volatile.Read(ref _generation))
            {
                Function.Interrupt(queue);
            }
        });
    }

    private void Try(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is VhostUserProtocolException or PosixException)
        {
            Fail(what, e);
        }
    }

    /// <summary>Called with the lock held, on the vCPU thread.</summary>
    private void Fail(string what, Exception e)
    {
        if (_options.Reconnect is not null)
        {
            Lost(_connection, $"{what} failed: {e.Message}");
            return;
        }

        _options.Log($"{_options.Name}: {what} failed, the device needs a reset: {e.Message}");
        _broken = true;
        Function.NeedsReset();
    }
}
