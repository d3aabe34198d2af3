using Emulator.Posix;
using Emulator.Platform;
using Emulator.VhostUser;

namespace Emulator.Vmm;

/// <summary>
/// Crash containment (QEMU's vhost-user-blk reconnect). Death is seen two ways: a hang-up on the socket
/// (the call watcher's epoll, RDHUP/HUP) or a request that fails on the vCPU thread. Either way the old
/// front-end is dropped and a reconnection thread asks <see cref="VhostUserPciDeviceOptions.Reconnect"/> for a
/// fresh one (retrying with a doubling, bounded delay), then under the lock replays the session: SET_OWNER,
/// the same features and protocol features, and if the driver had started the rings SET_MEM_TABLE, the log
/// base, SET_INFLIGHT_FD with the kept buffer, and per ring NUM, BASE = used.idx from guest memory, ADDR,
/// the SAME call and kick eventfds, ENABLE, and one kick. Guest notifications meanwhile accumulate in the
/// kick eventfds and are seen by the new server; configuration reads are served from the last values read.
/// With the in-flight log the new server resubmits what the dead one had popped but not returned; without
/// it the new server restarts at used.idx, which re-runs those requests only for a device that completes in
/// order (virtio-blk here does) and may lose or repeat them otherwise.
/// </summary>
public sealed partial class VhostUserPciDevice
{
    // Replays that fail this many times in a row (a server that refuses the session, not one that is
    // merely down) end in DEVICE_NEEDS_RESET instead of respawning for ever.
    private const int MaxReplayFailures = 5;

    // A server that dies within this long of being adopted is in a crash loop (a request that kills it,
    // resubmitted each time): the delay keeps growing instead of starting over.
    private const long StableMs = 2000;

    private readonly CancellationTokenSource _disposing = new();
    private readonly byte[] _configShadow;
    private bool _connected = true;
    private uint _connection;
    private int _reconnects;
    private int _delayMs;
    private long _adoptedAt = long.MinValue / 2;
    private Thread? _reconnector;
    private SafeFd? _inflightFd;
    private InflightDescription _inflightDescription;

    /// <summary>False while a dead server is being replaced.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_gate)
            {
                return _connected;
            }
        }
    }

    /// <summary>Servers replaced so far.</summary>
    public int Reconnects
    {
        get
        {
            lock (_gate)
            {
                return _reconnects;
            }
        }
    }

    /// <summary>True when a buffer of the INFLIGHT_SHMFD log is held for the running rings.</summary>
    public bool HasInflightLog
    {
        get
        {
            lock (_gate)
            {
                return _inflightFd is not null;
            }
        }
    }

    /// <summary>
    /// Sets up the rings of <see cref="_rings"/> on <paramref name="f"/>. <paramref name="resume"/>: the rings
    /// ran before, on a server now gone; they continue from used.idx (the only index guest memory keeps), which
    /// a server using the in-flight log corrects to used.idx + its pending count.
    /// </summary>
    private void StartRings(VhostUserFrontend f, bool resume)
    {
        f.SetFeatures(_sessionFeatures);
        f.SetMemTable(_memory);
        if (_logsWrites)
        {
            if (_dirtyLog is null)
            {
                _dirtyLog = f.EnableDirtyLog(_memory);
            }
            else
            {
                f.SetLogBase(_dirtyLog);
            }
        }

        ShareInflightLog(f);
        foreach (VirtioQueueConfig q in _rings)
        {
            ushort next = resume ? _memory.LoadAcquireU16(q.DeviceArea + 2) : (ushort)0;
            f.ConfigureQueue(q.Index, _memory, q.Size, q.DescriptorTable, q.DriverArea, q.DeviceArea, _kicks[q.Index], _calls[q.Index], next);
        }

        // Buffers made available before DRIVER_OK, or while no server was there, are picked up now.
        foreach (VirtioQueueConfig q in _rings)
        {
            _kicks[q.Index].Signal();
        }
    }

    /// <summary>GET_INFLIGHT_FD once per driver session (QEMU's vhost_dev_get_inflight), SET_INFLIGHT_FD on every start.</summary>
    private void ShareInflightLog(VhostUserFrontend f)
    {
        if ((_protocol & VhostUserProtocolFeatures.InflightShmfd) == 0 || _rings.Count == 0)
        {
            return;
        }

        ushort size = _rings[0].Size;
        if (_rings.Any(q => q.Size != size))
        {
            // The log has one entry count for every queue and the server requires it to match each ring.
            _options.Log($"{_options.Name}: the rings differ in size, so no in-flight log: a server crash may lose requests");
            return;
        }

        if (_inflightFd is null)
        {
            (_inflightFd, _inflightDescription) = f.GetInflightFd((ushort)QueueCount, size);
        }

        f.SetInflightFd(_inflightFd, _inflightDescription);
    }

    private void OnHangup(uint connection) => Lost(connection, "the server hung up");

    /// <summary>Connection <paramref name="connection"/> is dead: drop it and start replacing it (once).</summary>
    private void Lost(uint connection, string why)
    {
        lock (_gate)
        {
            if (_broken || !_connected || connection != _connection || _disposing.IsCancellationRequested)
            {
                return;
            }

            _options.Log($"{_options.Name}: {why}; reconnecting");
            _connected = false;
            _watcher.UnwatchHangup(_frontend.Socket);
            _frontend.Dispose();
            _reconnector = new Thread(ReconnectLoop) { IsBackground = true, Name = $"{_options.Name}-reconnect" };
            _reconnector.Start();
        }
    }

    private void ReconnectLoop()
    {
        Func<VhostUserFrontend> reconnect = _options.Reconnect ?? throw new InvalidOperationException("no reconnect function");
        CancellationToken stop = _disposing.Token;
        int first = Math.Max(1, _options.ReconnectDelayMs);
        int delay;
        lock (_gate)
        {
            delay = Environment.TickCount64 - _adoptedAt < StableMs && _delayMs > first ? _delayMs : first;
        }

        if (delay > first && stop.WaitHandle.WaitOne(delay))
        {
            return;
        }

        int replayFailures = 0;
        string? lastFailure = null;
        while (!stop.IsCancellationRequested)
        {
            VhostUserFrontend? fresh = null;
            try
            {
                fresh = reconnect();
            }
            catch (Exception e) when (e is VhostUserProtocolException or PosixException or DeviceManagerException)
            {
                // A server that stays away fails the same way at every attempt (QEMU, too, says it once).
                if (e.Message != lastFailure)
                {
                    _options.Log($"{_options.Name}: reconnection failed, retrying every {delay} ms or more: {e.Message}");
                    lastFailure = e.Message;
                }
            }

            if (fresh is not null)
            {
                if (Adopt(fresh, delay))
                {
                    return;
                }

                if (++replayFailures == MaxReplayFailures)
                {
                    GiveUp($"{MaxReplayFailures} servers in a row could not take over the session");
                    return;
                }
            }

            if (stop.WaitHandle.WaitOne(delay))
            {
                return;
            }

            delay = Math.Min(delay * 2, Math.Max(delay, _options.ReconnectMaxDelayMs));
        }
    }

    /// <summary>Replays the session on <paramref name="fresh"/>; false when it failed and another attempt should follow.</summary>
    private bool Adopt(VhostUserFrontend fresh, int delay)
    {
        lock (_gate)
        {
            if (_disposing.IsCancellationRequested)
            {
                fresh.Dispose();
                return true;
            }

            try
            {
                if (Handshake(fresh) is { } mismatch)
                {
                    fresh.Dispose();
                    GiveUp($"the new server cannot continue the session ({mismatch})");
                    return true;
                }

                if (_rings.Count > 0)
                {
                    StartRings(fresh, resume: true);
                }

                _watcher.WatchHangup(fresh.Socket, _connection + 1, OnHangup);
            }
            catch (Exception e) when (e is VhostUserProtocolException or PosixException)
            {
                fresh.Dispose();
                _options.Log($"{_options.Name}: replaying the session on the new server failed: {e.Message}");
                return false;
            }

            _frontend = fresh;
            _connection++;
            _connected = true;
            _reconnects++;
            _adoptedAt = Environment.TickCount64;
            _delayMs = Math.Min(delay * 2, Math.Max(delay, _options.ReconnectMaxDelayMs));
            _options.Log($"{_options.Name}: reconnected ({_rings.Count} ring(s) resumed)");
            return true;
        }
    }

    private void GiveUp(string why)
    {
        lock (_gate)
        {
            _options.Log($"{_options.Name}: {why}; the device needs a reset");
            _broken = true;
        }

        _post(Function.NeedsReset);
    }

    /// <summary>SET_OWNER and the features of the first server; null, or what the new server lacks.</summary>
    private string? Handshake(VhostUserFrontend f)
    {
        f.SetOwner();
        ulong offered = f.GetFeatures();
        ulong needed = DeviceFeatures | (_protocolFeatures ? VhostUserFeatureBits.ProtocolFeatures : 0) | (_logsWrites ? VhostUserFeatureBits.LogAll : 0);
        if ((offered & needed) != needed)
        {
            return $"features 0x{needed & ~offered:x} missing";
        }

        if (_protocolFeatures)
        {
            VhostUserProtocolFeatures protocol = f.GetProtocolFeatures();
            if ((protocol & _protocol) != _protocol)
            {
                return $"protocol features {_protocol & ~protocol} missing";
            }

            f.SetProtocolFeatures(_protocol);
        }

        return null;
    }

    private void StopReconnecting()
    {
        Thread? reconnector;
        lock (_gate)
        {
            _disposing.Cancel();
            reconnector = _reconnector;
        }

        // Bounded: a reconnect function stuck in a spawn must not hang the machine's shutdown.
        if (reconnector is not null && !reconnector.Join(TimeSpan.FromSeconds(30)))
        {
            // Left running, it still waits on the token: the token source is not disposed then.
            _options.Log($"{_options.Name}: the reconnection thread did not stop");
            return;
        }

        _disposing.Dispose();
    }

    private void RememberConfig(uint offset, ReadOnlySpan<byte> data)
    {
        if (offset < _configShadow.Length)
        {
            int n = Math.Min(data.Length, _configShadow.Length - (int)offset);
            data[..n].CopyTo(_configShadow.AsSpan((int)offset));
        }
    }

    private void RecallConfig(uint offset, Span<byte> destination)
    {
        if (offset < _configShadow.Length)
        {
            int n = Math.Min(destination.Length, _configShadow.Length - (int)offset);
            _configShadow.AsSpan((int)offset, n).CopyTo(destination);
        }
    }
}
