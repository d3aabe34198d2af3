using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// The front-end (VMM) side of a vhost-user connection: one typed method per request. The back-end is
/// untrusted too: every reply must carry REPLY, answer the request just sent, have the expected size and
/// descriptor count, and arrive within <see cref="TimeoutMs"/>; anything else throws
/// <see cref="VhostUserProtocolException"/>, after which the connection should be dropped. With REPLY_ACK
/// negotiated every request without a reply body asks for a status and a non-zero status throws.
/// Not thread-safe: one request at a time.
/// </summary>
public sealed partial class VhostUserFrontend : IDisposable
{
    private readonly VhostUserConnection _connection;

    public VhostUserFrontend(SafeFd socket, int timeoutMs = 5000)
    {
        _connection = new VhostUserConnection(socket) { SendTimeoutMs = timeoutMs };
        TimeoutMs = timeoutMs;
    }

    public int TimeoutMs { get; }

    public SafeFd Socket => _connection.Socket;

    /// <summary>Protocol features set with <see cref="SetProtocolFeatures"/>.</summary>
    public VhostUserProtocolFeatures ProtocolFeatures { get; private set; }

    /// <summary>Virtio features set with <see cref="SetFeatures"/>.</summary>
    public ulong Features { get; private set; }

    private bool ReplyAck => (ProtocolFeatures & VhostUserProtocolFeatures.ReplyAck) != 0;

    /// <summary>
    /// Sends any request (vendor codes included). With <paramref name="expectReply"/> returns the reply body;
    /// otherwise, with REPLY_ACK, waits for the status; returns an empty array then.
    /// </summary>
    public byte[] SendRequest(uint request, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds = default, bool expectReply = false)
    {
        if (expectReply)
        {
            _connection.SendRequest(request, payload, needReply: false, fds);
            using VhostUserMessage reply = ReceiveReply(request, expectedSize: -1, expectedFds: 0);
            return reply.Payload;
        }

        Post(request, payload, fds);
        return [];
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>A request without a reply body: with REPLY_ACK, ask for and check the status.</summary>
    private void Post(uint request, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds = default)
    {
        bool ack = ReplyAck;
        _connection.SendRequest(request, payload, ack, fds);
        if (!ack)
        {
            return;
        }

        using VhostUserMessage reply = ReceiveReply(request, U64Payload.Size, 0);
        ulong status = U64Payload.Parse(reply.Payload);
        if (status != 0)
        {
            throw new VhostUserProtocolException($"back-end refused {VhostUserHeader.RequestName(request)} (status {status})");
        }
    }

    private void Post(FrontendRequest request, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds = default) => Post((uint)request, payload, fds);

    /// <summary>A request with a reply body of <paramref name="expectedSize"/> bytes (-1: any size).</summary>
    private VhostUserMessage Call(FrontendRequest request, ReadOnlySpan<byte> payload, int expectedSize, int expectedFds = 0)
    {
        _connection.SendRequest((uint)request, payload);
        return ReceiveReply((uint)request, expectedSize, expectedFds);
    }

    private ulong CallU64(FrontendRequest request)
    {
        using VhostUserMessage reply = Call(request, [], U64Payload.Size);
        return U64Payload.Parse(reply.Payload);
    }

    private VhostUserMessage ReceiveReply(uint request, int expectedSize, int expectedFds)
    {
        VhostUserMessage reply = _connection.Receive(TimeoutMs, h => MessageValidator.ValidateReplyHeader(h, request))
            ?? throw new VhostUserProtocolException($"back-end closed the connection instead of answering {VhostUserHeader.RequestName(request)}");
        try
        {
            if (expectedSize >= 0 && reply.Payload.Length != expectedSize)
            {
                throw new VhostUserProtocolException(
                    $"reply to {VhostUserHeader.RequestName(request)} has {reply.Payload.Length} bytes, expected {expectedSize}");
            }

            if (reply.FdCount != expectedFds)
            {
                throw new VhostUserProtocolException(
                    $"reply to {VhostUserHeader.RequestName(request)} carries {reply.FdCount} descriptors, expected {expectedFds}");
            }

            return reply;
        }
        catch
        {
            reply.Dispose();
            throw;
        }
    }
}
