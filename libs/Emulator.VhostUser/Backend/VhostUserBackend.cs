using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// One back-end session: runs the message loop for one front-end connection and drives an
/// <see cref="IVhostUserDevice"/>. Every message is validated (<see cref="MessageValidator"/>, then the
/// state checks in the handlers) before it touches anything; a bad message is logged, answered with a
/// failure status if the front-end asked for one, and ends the session with the connection closed.
/// Messages are handled one at a time on the thread that calls <see cref="Run"/>; from other threads
/// only <see cref="RequestStop"/>, <see cref="SendBackendRequest"/> and <see cref="SendConfigChange"/> may be called.
/// </summary>
public sealed partial class VhostUserBackend : IDisposable
{
    /// <summary>
    /// The protocol features this class implements and offers whenever the device asks; the device's wishes are
    /// masked with these (plus <see cref="OptInProtocolFeatures"/> and vendor bits).
    /// </summary>
    public const VhostUserProtocolFeatures ImplementedProtocolFeatures =
        VhostUserProtocolFeatures.Mq | VhostUserProtocolFeatures.ReplyAck | VhostUserProtocolFeatures.BackendReq
        | VhostUserProtocolFeatures.Config | VhostUserProtocolFeatures.BackendSendFd | VhostUserProtocolFeatures.InflightShmfd
        | VhostUserProtocolFeatures.ResetDevice | VhostUserProtocolFeatures.ConfigureMemSlots | VhostUserProtocolFeatures.Status;

    /// <summary>
    /// Implemented too, but offered only when the device names them itself (not through
    /// <see cref="ImplementedProtocolFeatures"/>, which devices often pass wholesale): LOG_SHMFD is true only for a
    /// device that writes guest memory solely through <see cref="SplitQueue"/>s built from the setup
    /// (<see cref="VringSetup.CreateSplitQueue"/>, or with <see cref="VringSetup.WriteLog"/> passed on).
    /// </summary>
    public const VhostUserProtocolFeatures OptInProtocolFeatures = VhostUserProtocolFeatures.LogShmfd;

    private readonly VhostUserConnection _connection;
    private readonly IVhostUserDevice _device;
    private readonly Action<string> _log;
    private readonly IReadOnlyList<VendorRequest> _vendor;
    private readonly RingSlot[] _rings;
    private readonly StopEvent _stop = new();
    private readonly Lock _lifecycle = new();
    private readonly VhostUserBackendOptions _options;
    private bool _closed;
    private bool _replied;
    private int _messageTimeoutMs = 5000;

    /// <summary>A session that owns <paramref name="socket"/> (closed when the session ends) and maps only sealed memory.</summary>
    public VhostUserBackend(SafeFd socket, IVhostUserDevice device, Action<string>? log = null)
        : this(socket, device, log, new VhostUserBackendOptions())
    {
    }

    /// <summary>A session with explicit socket ownership and memory rules (see <see cref="VhostUserBackendOptions"/>).</summary>
    public VhostUserBackend(SafeFd socket, IVhostUserDevice device, Action<string>? log, VhostUserBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (device.QueueCount is < 1 or > VhostUserLimits.MaxQueues)
        {
            throw new ArgumentException($"a device needs 1..{VhostUserLimits.MaxQueues} queues, not {device.QueueCount}", nameof(device));
        }

        if (device.MaxQueueSize == 0 || device.MaxQueueSize > VhostUserLimits.MaxQueueSize || (device.MaxQueueSize & (device.MaxQueueSize - 1)) != 0)
        {
            throw new ArgumentException($"maximum queue size {device.MaxQueueSize} is not a power of two up to {VhostUserLimits.MaxQueueSize}", nameof(device));
        }

        _device = device;
        _log = log ?? (_ => { });
        _vendor = device.VendorRequests;
        _rings = new RingSlot[device.QueueCount];
        for (int i = 0; i < _rings.Length; i++)
        {
            _rings[i] = new RingSlot();
        }

        VhostUserProtocolFeatures vendorBits = VhostUserProtocolFeatures.None;
        foreach (VendorRequest v in _vendor)
        {
            if (v.FdCount is < 0 or > UnixSocket.MaxFdsPerMessage)
            {
                throw new ArgumentException($"vendor request {v.Code} declares {v.FdCount} descriptors; a message carries 0..{UnixSocket.MaxFdsPerMessage}", nameof(device));
            }

            vendorBits |= v.RequiredFeature;
        }

        OfferedProtocolFeatures = device.ProtocolFeatures & (ImplementedProtocolFeatures | OptInProtocolFeatures | vendorBits);

        // Last, so a refused device leaves nothing to release.
        _options = options;
        _connection = new VhostUserConnection(options.OwnsSocket ? socket : Fd.Duplicate(socket)) { SendTimeoutMs = _messageTimeoutMs };
    }

    /// <summary>
    /// How long a message may take to arrive once its first byte has, and how long a reply may wait for
    /// the front-end to make room for it. A stalled front-end ends the session instead of wedging it.
    /// </summary>
    public int MessageTimeoutMs
    {
        get => _messageTimeoutMs;
        init
        {
            _messageTimeoutMs = value;
            _connection.SendTimeoutMs = value;
        }
    }

    /// <summary>How long a back-end request waits for the front-end's acknowledgement.</summary>
    public int BackendReplyTimeoutMs { get; init; } = 5000;

    public VhostUserProtocolFeatures OfferedProtocolFeatures { get; }

    /// <summary>Protocol features the front-end acknowledged.</summary>
    public VhostUserProtocolFeatures AckedProtocolFeatures { get; private set; }

    /// <summary>Virtio features the front-end acknowledged (including bit 30 if it was).</summary>
    public ulong AckedFeatures { get; private set; }

    /// <summary>
    /// Serves the connection until the front-end hangs up, <see cref="RequestStop"/> is called, or a message
    /// is rejected. Returns the rejection (already logged), or null for a clean end. Closes everything.
    /// </summary>
    public VhostUserProtocolException? Run()
    {
        try
        {
            while (ProcessNext(-1))
            {
            }

            return null;
        }
        catch (VhostUserProtocolException e)
        {
            _log($"vhost-user: closing the connection: {e.Message}");
            return e;
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for one message and handles it. False when the session is
    /// over (hang-up or stop request). Throws <see cref="VhostUserProtocolException"/> for a bad message;
    /// the caller must then dispose the session.
    /// </summary>
    public bool ProcessNext(int timeoutMs)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        Span<short> revents = stackalloc short[2];
        if (Poller.Wait([_connection.Socket, _stop.Handle], [PollEvents.In, PollEvents.In], revents, timeoutMs) == 0)
        {
            return true;
        }

        if (revents[1] != 0)
        {
            return false;
        }

        using VhostUserMessage? message = _connection.Receive(MessageTimeoutMs, h => MessageValidator.ValidateHeader(h, _vendor));
        if (message is null)
        {
            _log("vhost-user: front-end hung up");
            return false;
        }

        Handle(message);
        return true;
    }

    /// <summary>Asks <see cref="Run"/> to return (from a signal handler or another thread). Safe at any time.</summary>
    public void RequestStop() => _stop.Set();

    /// <summary>
    /// Stops every ring, then releases memory, descriptors and the socket (or, for a borrowed socket, shuts
    /// the connection down and closes only the session's duplicate). A ring the device fails to stop is
    /// logged and skipped: its eventfds and all guest memory are then left open and mapped (released at
    /// process exit), because a ring thread that did not stop may still touch them.
    /// </summary>
    public void Dispose()
    {
        lock (_lifecycle)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        bool ringStuck = false;
        for (int i = 0; i < _rings.Length; i++)
        {
            try
            {
                StopRing(i);
                _rings[i].Dispose();
            }
            catch (Exception e)
            {
                ringStuck = true;
                _log($"vhost-user: the device failed to stop ring {i}; its eventfds and guest memory stay open: {e}");
            }
        }

        if (!ringStuck)
        {
            _memory?.Dispose();
            _memory = null;
            _inflight?.Dispose();
            _inflight = null;
            DisposeLogging();
        }

        lock (_backendLock)
        {
            _backendChannel?.Dispose();
            _backendChannel = null;
        }

        if (!_options.OwnsSocket)
        {
            ShutdownBorrowedSocket();
        }

        _connection.Dispose();
        _stop.Dispose();
    }

    /// <summary>The host keeps its descriptor; shutting the connection down tells the front-end the session is over.</summary>
    private void ShutdownBorrowedSocket()
    {
        try
        {
            UnixSocket.Shutdown(_connection.Socket);
        }
        catch (PosixException e)
        {
            _log($"vhost-user: could not shut the connection down: {e.Message}");
        }
    }

    private void Handle(VhostUserMessage message)
    {
        VhostUserHeader header = message.Header;
        _replied = false;
        try
        {
            MessageValidator.Validate(header, message.Payload, message.FdCount, _vendor);
            if (header.NeedsReply && !Negotiated(VhostUserProtocolFeatures.ReplyAck))
            {
                throw new VhostUserProtocolException($"{header}: NEED_REPLY without REPLY_ACK negotiated");
            }

            Dispatch(message);
            if (header.NeedsReply && !_replied)
            {
                Reply(header.Request, U64Payload.ToArray(0));
            }
        }
        catch (VhostUserProtocolException e)
        {
            FailReply(header, e.Message);
            throw;
        }
        catch (PosixException e)
        {
            FailReply(header, e.Message);
            throw new VhostUserProtocolException($"{header}: {e.Message}", e);
        }
        catch (GuestMemoryException e)
        {
            FailReply(header, e.Message);
            throw new VhostUserProtocolException($"{header}: {e.Message}", e);
        }
    }

    /// <summary>With REPLY_ACK the front-end learns the request failed before the connection closes.</summary>
    private void FailReply(VhostUserHeader header, string reason)
    {
        _log($"vhost-user: rejected {header}: {reason}");
        if (!header.NeedsReply || _replied || !Negotiated(VhostUserProtocolFeatures.ReplyAck))
        {
            return;
        }

        try
        {
            Reply(header.Request, U64Payload.ToArray(1));
        }
        catch (VhostUserProtocolException e)
        {
            _log($"vhost-user: could not report the failure: {e.Message}");
        }
    }

    private void Dispatch(VhostUserMessage m)
    {
        byte[] p = m.Payload;
        switch ((FrontendRequest)m.Header.Request)
        {
            case FrontendRequest.GetFeatures: Reply(m, U64Payload.ToArray(OfferedFeatures)); break;
            case FrontendRequest.SetFeatures: SetFeatures(U64Payload.Parse(p)); break;
            case FrontendRequest.GetProtocolFeatures: Reply(m, U64Payload.ToArray((ulong)OfferedProtocolFeatures)); break;
            case FrontendRequest.SetProtocolFeatures: SetProtocolFeatures(U64Payload.Parse(p)); break;
            case FrontendRequest.SetOwner: break;
            case FrontendRequest.ResetOwner: DisableAllRings(); break;
            case FrontendRequest.GetQueueNum: Reply(m, U64Payload.ToArray((ulong)_device.QueueCount)); break;
            case FrontendRequest.SetMemTable: SetMemTable(m); break;
            case FrontendRequest.GetMaxMemSlots: GetMaxMemSlots(m); break;
            case FrontendRequest.AddMemReg: AddMemReg(m); break;
            case FrontendRequest.RemMemReg: RemMemReg(m); break;
            case FrontendRequest.SetVringNum: SetVringNum(VringState.Parse(p)); break;
            case FrontendRequest.SetVringAddr: SetVringAddr(VringAddress.Parse(p)); break;
            case FrontendRequest.SetVringBase: SetVringBase(VringState.Parse(p)); break;
            case FrontendRequest.GetVringBase: GetVringBase(m, VringState.Parse(p)); break;
            case FrontendRequest.SetVringKick: SetVringFd(m, RingFdKind.Kick); break;
            case FrontendRequest.SetVringCall: SetVringFd(m, RingFdKind.Call); break;
            case FrontendRequest.SetVringErr: SetVringFd(m, RingFdKind.Err); break;
            case FrontendRequest.SetVringEnable: SetVringEnable(VringState.Parse(p)); break;
            case FrontendRequest.GetConfig: GetConfig(m, ConfigPayload.Parse(p)); break;
            case FrontendRequest.SetConfig: SetConfig(ConfigPayload.Parse(p)); break;
            case FrontendRequest.SetStatus: SetStatus(U64Payload.Parse(p)); break;
            case FrontendRequest.GetStatus: GetStatus(m); break;
            case FrontendRequest.ResetDevice: ResetDevice(); break;
            case FrontendRequest.GetInflightFd: GetInflightFd(m, InflightDescription.Parse(p)); break;
            case FrontendRequest.SetInflightFd: SetInflightFd(m, InflightDescription.Parse(p)); break;
            case FrontendRequest.SetBackendReqFd: SetBackendReqFd(m); break;
            case FrontendRequest.SetLogBase: SetLogBase(m, LogDescription.Parse(p)); break;
            case FrontendRequest.SetLogFd: SetLogFd(m); break;
            case FrontendRequest.SetDeviceStateFd:
            case FrontendRequest.CheckDeviceState:
                throw new VhostUserProtocolException($"{m.Header}: not supported by this back-end (its protocol feature is never offered)");
            default: HandleVendor(m); break;
        }
    }

    /// <summary>RESET_OWNER is deprecated; the spec suggests treating it as "disable every ring".</summary>
    private void DisableAllRings()
    {
        StopAllRings();
        foreach (RingSlot ring in _rings)
        {
            ring.Enabled = false;
        }
    }

    private bool Negotiated(VhostUserProtocolFeatures feature) => (AckedProtocolFeatures & feature) == feature;

    private void Require(VhostUserProtocolFeatures feature, FrontendRequest request)
    {
        if (!Negotiated(feature))
        {
            throw new VhostUserProtocolException($"{request} needs protocol feature {feature}, which was not negotiated");
        }
    }

    private void Reply(VhostUserMessage request, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds = default) =>
        Reply(request.Header.Request, payload, fds);

    private void Reply(uint request, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds = default)
    {
        _replied = true;
        _connection.SendReply(request, payload, fds);
    }
}
