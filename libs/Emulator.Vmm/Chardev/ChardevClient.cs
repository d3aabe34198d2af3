using Emulator.Chardev;
using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.Vmm.Chardev;

/// <summary>
/// The CPU process's connection to one <c>emu-chardev</c>: negotiates (REPLY_ACK, BACKEND_REQ and
/// the byte-stream vendor bit), shares guest RAM, creates the byte streams, and listens on the
/// BACKEND_REQ channel for the server's events on a thread of its own. Requests on the main socket
/// (set-up, <see cref="ResetDevice"/>, <see cref="UseFrontend"/>) are serialized.
/// </summary>
public sealed class ChardevClient : IDisposable
{
    private readonly VhostUserFrontend _frontend;
    private readonly ChardevClientOptions _options;
    private readonly List<ChardevStream> _streams = [];
    private readonly Lock _frontendLock = new();
    private BackendRequestListener? _listener;
    private Thread? _listenerThread;
    private bool _disposed;

    private ChardevClient(VhostUserFrontend frontend, ChardevClientOptions options)
    {
        _frontend = frontend;
        _options = options;
    }

    public string Id => _options.Id;

    public IReadOnlyList<ChardevStream> Streams => _streams;

    public NegotiatedFeatures Negotiated { get; private set; }

    /// <summary>
    /// Sets up a connection over <paramref name="socket"/> (borrowed: the client works on a duplicate).
    /// Throws <see cref="VhostUserProtocolException"/> when the server misbehaves, hangs up (it failed to
    /// open its backend, say) or lacks byte streams.
    /// </summary>
    public static ChardevClient Connect(SafeFd socket, ChardevClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.StreamCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.StreamCount, ByteStreamProtocol.MaxStreams);
        var client = new ChardevClient(new VhostUserFrontend(Fd.Duplicate(socket), options.TimeoutMs), options);
        try
        {
            client.SetUp();
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>RESET_DEVICE, as a machine reset does; skipped when the server did not offer it.</summary>
    public void ResetDevice()
    {
        lock (_frontendLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if ((Negotiated.ProtocolFeatures & VhostUserProtocolFeatures.ResetDevice) != 0)
            {
                _frontend.ResetDevice();
            }
        }
    }

    /// <summary>Runs further requests (virtio-console queues, say) with the main socket to itself.</summary>
    public void UseFrontend(Action<VhostUserFrontend> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_frontendLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            action(_frontend);
        }
    }

    /// <summary>Stops the listener, closes the connection, unmaps the rings (stop their users first).</summary>
    public void Dispose()
    {
        lock (_frontendLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        if (_listener is not null)
        {
            ShutdownQuietly(_listener.Socket);
            _listenerThread?.Join();
            _listener.Dispose();
        }

        _frontend.Dispose();
        foreach (ChardevStream stream in _streams)
        {
            stream.Dispose();
        }
    }

    private static void ShutdownQuietly(SafeFd socket)
    {
        try
        {
            UnixSocket.Shutdown(socket);
        }
        catch (PosixException)
        {
            // Already gone: the listener has nothing left to wake from.
        }
    }

    private void SetUp()
    {
        lock (_frontendLock)
        {
            Negotiated = _frontend.Negotiate(_options.VirtioFeatures, _options.ProtocolFeatures);
            bool byteStreams = (Negotiated.ProtocolFeatures & ByteStreamProtocol.EmuByteStreams) != 0;
            if (_options.StreamCount > 0 && !byteStreams)
            {
                throw new VhostUserProtocolException($"chardev '{Id}': the server does not offer byte streams");
            }

            if ((Negotiated.ProtocolFeatures & VhostUserProtocolFeatures.BackendReq) != 0)
            {
                _listener = _frontend.SetBackendReqFd(ByteStreamProtocol.BackendRequests);
            }

            if (_options.Memory is not null)
            {
                _frontend.SetMemTable(_options.Memory);
            }

            for (int i = 0; i < _options.StreamCount; i++)
            {
                var stream = new ChardevStream(i, _options.RingCapacity, $"{Id}-stream{i}");
                _streams.Add(stream);
                _frontend.SendRequest(ByteStreamProtocol.SetByteStream, new ByteStreamRequest((uint)i, 0).ToArray(), stream.Descriptors);
            }
        }

        if (_listener is not null)
        {
            _listenerThread = new Thread(Listen) { IsBackground = true, Name = $"chardev-events-{Id}" };
            _listenerThread.Start();
        }
    }

    private void Listen()
    {
        BackendRequestListener listener = _listener ?? throw new InvalidOperationException("no back-end channel");
        while (true)
        {
            VhostUserMessage? message;
            try
            {
                message = listener.Receive(-1);
            }
            catch (VhostUserProtocolException e)
            {
                _options.Log($"chardev '{Id}': back-end channel closed: {e.Message}");
                return;
            }

            if (message is null)
            {
                return;
            }

            using (message)
            {
                ChardevEvent? e = null;
                try
                {
                    e = ChardevEvent.Parse(message.Payload);
                }
                catch (VhostUserProtocolException ex)
                {
                    _options.Log($"chardev '{Id}': {ex.Message}");
                }

                if (e is ChardevEvent valid)
                {
                    _options.OnEvent?.Invoke(valid);
                }

                if (!TryAcknowledge(listener, message, e is not null))
                {
                    return;
                }
            }
        }
    }

    private bool TryAcknowledge(BackendRequestListener listener, VhostUserMessage message, bool success)
    {
        try
        {
            listener.Acknowledge(message, success);
            return true;
        }
        catch (VhostUserProtocolException e)
        {
            _options.Log($"chardev '{Id}': back-end channel closed: {e.Message}");
            return false;
        }
    }
}
