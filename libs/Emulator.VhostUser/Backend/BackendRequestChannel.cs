using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// The BACKEND_REQ socket the front-end handed over: the back-end sends requests (config change, vendor
/// requests) and, with REPLY_ACK, waits a bounded time for the front-end's u64 status.
/// Thread-safe: device threads and the message thread may send at once.
/// </summary>
internal sealed class BackendRequestChannel : IDisposable
{
    private readonly VhostUserConnection _connection;
    private readonly bool _replyAck;
    private readonly int _timeoutMs;
    private readonly Lock _lock = new();

    public BackendRequestChannel(SafeFd socket, bool replyAck, int timeoutMs)
    {
        _connection = new VhostUserConnection(socket) { SendTimeoutMs = timeoutMs };
        _replyAck = replyAck;
        _timeoutMs = timeoutMs;
    }

    /// <summary>Sends one request; with <paramref name="waitForAck"/> and REPLY_ACK, returns whether the front-end reported success.</summary>
    public bool Send(uint request, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds, bool waitForAck)
    {
        bool needReply = waitForAck && _replyAck;
        lock (_lock)
        {
            _connection.SendRequest(request, payload, needReply, fds);
            if (!needReply)
            {
                return true;
            }

            using VhostUserMessage reply = _connection.Receive(_timeoutMs)
                ?? throw new VhostUserProtocolException($"front-end closed the back-end channel instead of acknowledging request {request}");
            MessageValidator.ValidateReplyHeader(reply.Header, request);
            if (reply.FdCount != 0)
            {
                throw new VhostUserProtocolException($"front-end's acknowledgement of request {request} carries file descriptors");
            }

            return U64Payload.Parse(reply.Payload) == 0;
        }
    }

    public void Dispose() => _connection.Dispose();
}
