using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// The front-end's end of the BACKEND_REQ channel: receives the back-end's requests (validated like any
/// message from an untrusted peer) and acknowledges them when the back-end asked for a reply.
/// </summary>
public sealed class BackendRequestListener : IDisposable
{
    private readonly VhostUserConnection _connection;
    private readonly IReadOnlyList<VendorRequest>? _vendor;

    public BackendRequestListener(SafeFd socket, IReadOnlyList<VendorRequest>? vendor = null, int sendTimeoutMs = 5000)
    {
        _connection = new VhostUserConnection(socket) { SendTimeoutMs = sendTimeoutMs };
        _vendor = vendor;
    }

    public SafeFd Socket => _connection.Socket;

    /// <summary>
    /// The next back-end request, or null if the back-end closed the channel. Throws
    /// <see cref="VhostUserProtocolException"/> for a malformed request or when <paramref name="timeoutMs"/> passes.
    /// </summary>
    public VhostUserMessage? Receive(int timeoutMs)
    {
        VhostUserMessage? message = _connection.Receive(timeoutMs, h =>
        {
            if (MessageRules.ForBackendRequest(h.Request, _vendor) is null)
            {
                throw new VhostUserProtocolException($"unknown back-end request {h.Request}");
            }
        });
        if (message is null)
        {
            return null;
        }

        try
        {
            MessageValidator.ValidateBackendRequest(message.Header, message.Payload, message.FdCount, _vendor);
            return message;
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    /// <summary>Sends the u64 status the back-end asked for with NEED_REPLY (nothing otherwise).</summary>
    public void Acknowledge(VhostUserMessage request, bool success)
    {
        if (request.Header.NeedsReply)
        {
            _connection.SendReply(request.Header.Request, U64Payload.ToArray(success ? 0UL : 1UL));
        }
    }

    public void Dispose() => _connection.Dispose();
}
