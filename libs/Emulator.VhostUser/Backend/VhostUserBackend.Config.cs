using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>Config space, the back-end request channel, and vendor requests.</summary>
public sealed partial class VhostUserBackend
{
    private readonly Lock _backendLock = new();
    private BackendRequestChannel? _backendChannel;

    /// <summary>
    /// Sends a back-end request on the BACKEND_REQ channel (any thread). Returns false when the front-end
    /// gave no channel, or when the channel failed: a send timeout, the front-end closing it, or a missing or
    /// malformed acknowledgement. A failure is logged and drops the channel (its framing can no longer be
    /// trusted), so later requests return false at once. With <paramref name="waitForAck"/> and REPLY_ACK
    /// negotiated, waits (bounded by <see cref="BackendReplyTimeoutMs"/>) for the front-end's status and returns
    /// whether it succeeded; never wait from the message thread while the front-end itself waits for a reply,
    /// or both sides stall until the timeout. Throws only for the caller's own mistakes (an oversized payload,
    /// descriptors without BACKEND_SEND_FD).
    /// </summary>
    public bool SendBackendRequest(uint request, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds = default, bool waitForAck = false)
    {
        if (payload.Length > VhostUserLimits.MaxPayloadSize)
        {
            throw new ArgumentException($"a back-end request payload is at most {VhostUserLimits.MaxPayloadSize} bytes", nameof(payload));
        }

        if (!fds.IsEmpty && !Negotiated(VhostUserProtocolFeatures.BackendSendFd))
        {
            throw new InvalidOperationException("sending descriptors to the front-end needs BACKEND_SEND_FD, which was not negotiated");
        }

        lock (_backendLock)
        {
            if (_backendChannel is null)
            {
                return false;
            }

            try
            {
                return _backendChannel.Send(request, payload, fds, waitForAck);
            }
            catch (VhostUserProtocolException e)
            {
                _log($"vhost-user: back-end request {request} failed, dropping the back-end channel: {e.Message}");
                _backendChannel.Dispose();
                _backendChannel = null;
                return false;
            }
        }
    }

    /// <summary>Tells the front-end the config space changed (only if CONFIG was negotiated and a channel exists).</summary>
    public bool SendConfigChange(bool waitForAck = false) =>
        Negotiated(VhostUserProtocolFeatures.Config) && SendBackendRequest((uint)BackendRequest.ConfigChangeMsg, [], default, waitForAck);

    private void CheckConfigRange(FrontendRequest request, ConfigPayload config)
    {
        Require(VhostUserProtocolFeatures.Config, request);
        if (config.Offset > _device.ConfigSize || config.Size > _device.ConfigSize - config.Offset)
        {
            throw new VhostUserProtocolException(
                $"{request}: [{config.Offset}, +{config.Size}) is outside the device's {_device.ConfigSize}-byte config space");
        }
    }

    private void GetConfig(VhostUserMessage m, ConfigPayload request)
    {
        CheckConfigRange(FrontendRequest.GetConfig, request);
        byte[] data = _device.ReadConfig(request.Offset, request.Size);
        if (data.Length != request.Size)
        {
            throw new VhostUserProtocolException($"GET_CONFIG: the device returned {data.Length} config bytes for a {request.Size}-byte read");
        }

        Reply(m, new ConfigPayload(request.Offset, request.Flags, data).ToArray());
    }

    private void SetConfig(ConfigPayload request)
    {
        CheckConfigRange(FrontendRequest.SetConfig, request);
        if (request.Flags is not (ConfigPayload.FlagWritable or ConfigPayload.FlagMigration))
        {
            throw new VhostUserProtocolException($"SET_CONFIG: unknown flags 0x{request.Flags:x}");
        }

        _device.WriteConfig(request.Offset, request.Data);
    }

    private void SetBackendReqFd(VhostUserMessage m)
    {
        Require(VhostUserProtocolFeatures.BackendReq, FrontendRequest.SetBackendReqFd);
        if (!UnixSocket.IsStreamSocket(m.PeekFd(0)))
        {
            throw new VhostUserProtocolException("SET_BACKEND_REQ_FD: the descriptor is not a socket of type AF_UNIX/SOCK_STREAM");
        }

        var channel = new BackendRequestChannel(m.TakeFd(0), Negotiated(VhostUserProtocolFeatures.ReplyAck), BackendReplyTimeoutMs);
        lock (_backendLock)
        {
            _backendChannel?.Dispose();
            _backendChannel = channel;
        }
    }

    private void HandleVendor(VhostUserMessage m)
    {
        VendorRequest v = MessageRules.FindVendor(m.Header.Request, _vendor)
            ?? throw new VhostUserProtocolException($"unknown request {m.Header.Request}");
        if (v.RequiredFeature == VhostUserProtocolFeatures.None || !Negotiated(v.RequiredFeature))
        {
            throw new VhostUserProtocolException($"vendor request {v.Code} needs protocol feature bit(s) 0x{(ulong)v.RequiredFeature:x}, not negotiated");
        }

        SafeFd[] fds = new SafeFd[m.FdCount];
        for (int i = 0; i < fds.Length; i++)
        {
            fds[i] = m.TakeFd(i);
        }

        byte[]? reply = _device.HandleVendorRequest(m.Header.Request, m.Payload, fds);
        if (reply is not null)
        {
            if (reply.Length > VhostUserLimits.MaxPayloadSize)
            {
                throw new VhostUserProtocolException($"vendor request {v.Code}: the device's {reply.Length}-byte reply exceeds {VhostUserLimits.MaxPayloadSize} bytes");
            }

            Reply(m, reply);
        }
    }
}
