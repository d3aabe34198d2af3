using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// <c>socket</c>: UNIX or TCP, server or client, one peer at a time as in QEMU. A server with
/// <c>wait=off</c> listens and returns from Start at once; with <c>wait=on</c> Start blocks for the
/// first client. While a client is connected the next one waits in the backlog and is accepted when
/// the first leaves. A client connects in Start, or, with <c>reconnect</c>, in the background and
/// again after every failure or loss (the first failure is reported once). Output written while
/// nobody is connected is dropped. The reading thread owns accepting, connecting and tearing down
/// connections; a failed write only shuts the connection down so that the reader notices.
/// </summary>
public sealed class SocketBackend : ChardevBackend
{
    /// <summary>Pause before retrying an accept that failed for lack of descriptors or buffers.</summary>
    private const int AcceptRetryMs = 100;

    private readonly SocketBackendSpec _spec;
    private readonly Action<string> _report;
    private readonly Lock _connectionLock = new();
    private readonly byte[] _receiveBuffer = new byte[4096];
    private Socket? _listener;
    private Socket? _connection;
    private string? _socketFileToRemove;
    private long _nextAttempt;
    private bool _connectErrorReported;

    public SocketBackend(string id, SocketBackendSpec spec, Action<string> report)
        : base(id)
    {
        _spec = spec;
        _report = report;
    }

    /// <summary>The listening address (with the real port when port 0 was asked); null for clients.</summary>
    public EndPoint? LocalEndPoint => _listener?.LocalEndPoint;

    /// <summary>QEMU's filename for an unconnected socket, e.g. "disconnected:unix:/tmp/s,server=on".</summary>
    public string DisconnectedName => "disconnected:" + AddressName + (_spec.Server ? ",server=on" : string.Empty);

    private string AddressName => (_spec.Address, LocalEndPoint) switch
    {
        (UnixSocketAddressSpec unix, _) => $"unix:{unix.Path}",
        (TcpSocketAddressSpec, IPEndPoint bound) => $"tcp:{bound.Address}:{bound.Port}",
        (TcpSocketAddressSpec tcp, _) => $"tcp:{tcp.Host}:{tcp.Port}",
        _ => "socket",
    };

    private protected override void StartCore()
    {
        if (_spec.Server)
        {
            _listener = SocketEndpoints.Listen(_spec.Address);
            _socketFileToRemove = (_spec.Address as UnixSocketAddressSpec)?.Path;
            if (_spec.Wait)
            {
                _report($"QEMU waiting for connection on: {DisconnectedName}");
                Adopt(Accept() ?? throw new ChardevException($"chardev '{Id}': stopped while waiting for a connection"));
            }
        }
        else if (_spec.Reconnect is null)
        {
            try
            {
                Adopt(SocketEndpoints.Connect(_spec.Address, Stopping.Token));
            }
            catch (OperationCanceledException e)
            {
                throw new ChardevException($"chardev '{Id}': stopped while connecting", e);
            }
        }
    }

    private protected override int ReadCore(Span<byte> buffer)
    {
        while (true)
        {
            Socket? connection = Volatile.Read(ref _connection);
            if (connection is null)
            {
                if (!Establish())
                {
                    return 0;
                }

                continue;
            }

            int n;
            try
            {
                Memory<byte> target = _receiveBuffer.AsMemory(0, Math.Min(_receiveBuffer.Length, buffer.Length));
                n = connection.ReceiveAsync(target, SocketFlags.None, Stopping.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
            catch (SocketException)
            {
                n = 0;
            }
            catch (ObjectDisposedException)
            {
                n = 0;
            }

            if (n > 0)
            {
                _receiveBuffer.AsSpan(0, n).CopyTo(buffer);
                return n;
            }

            Retire(connection);
        }
    }

    private protected override void WriteCore(ReadOnlySpan<byte> data)
    {
        Socket? connection = Volatile.Read(ref _connection);
        if (connection is null)
        {
            return;
        }

        byte[] copy = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(copy);
        try
        {
            int sent = 0;
            while (sent < data.Length)
            {
                sent += connection.SendAsync(copy.AsMemory(sent, data.Length - sent), SocketFlags.None, Stopping.Token)
                    .AsTask().GetAwaiter().GetResult();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the rest is not written.
        }
        catch (SocketException)
        {
            // The peer is gone: drop the rest and let the reader tear the connection down.
            ShutdownQuietly(connection);
        }
        catch (ObjectDisposedException)
        {
            // The reader retired this connection meanwhile; the bytes are dropped like any written while disconnected.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private protected override void ReleaseResources()
    {
        _connection?.Dispose();
        _listener?.Dispose();
        if (_socketFileToRemove is not null)
        {
            try
            {
                // Our listener is closed, so the file is stale now, unless another server took the
                // path meanwhile: that one answers the probe and keeps its file.
                UnixSocket.RemoveStaleSocket(_socketFileToRemove);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Already gone or out of reach: nothing of ours left to clean up.
            }
        }
    }

    /// <summary>Gets a connection while there is none: accept, (re)connect, or wait to be stopped. False once stopped.</summary>
    private bool Establish()
    {
        if (_listener is not null)
        {
            Socket? accepted = Accept();
            if (accepted is null)
            {
                return false;
            }

            Adopt(accepted);
            return true;
        }

        if (_spec.Reconnect is not TimeSpan period)
        {
            // A plain client that lost its server stays disconnected, as in QEMU.
            Stopping.Sleep(-1);
            return false;
        }

        long wait = _nextAttempt - Environment.TickCount64;
        if (wait > 0 && !Stopping.Sleep((int)Math.Min(wait, int.MaxValue)))
        {
            return false;
        }

        try
        {
            Adopt(SocketEndpoints.Connect(_spec.Address, Stopping.Token));
            _connectErrorReported = false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (ChardevException e)
        {
            if (!_connectErrorReported)
            {
                _report($"Unable to connect character device {Id}: {e.Message}");
                _connectErrorReported = true;
            }

            _nextAttempt = Environment.TickCount64 + (long)period.TotalMilliseconds;
        }

        return true;
    }

    /// <summary>
    /// Accepts the next client; null once stopped. A client that vanished between SYN and accept
    /// (ECONNABORTED) is skipped at once; any other failure (EMFILE, ENFILE, ENOBUFS...) would
    /// recur at once, so it is reported once and retried after <see cref="AcceptRetryMs"/>.
    /// </summary>
    private Socket? Accept()
    {
        Socket listener = _listener ?? throw new InvalidOperationException("not listening");
        bool failureReported = false;
        while (true)
        {
            try
            {
                return listener.AcceptAsync(Stopping.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException e) when (!Stopping.IsSet)
            {
                if (e.SocketErrorCode == SocketError.ConnectionAborted)
                {
                    continue;
                }

                if (!failureReported)
                {
                    _report($"chardev '{Id}': accepting a connection failed: {e.Message}; retrying");
                    failureReported = true;
                }

                if (!Stopping.Sleep(AcceptRetryMs))
                {
                    return null;
                }
            }
        }
    }

    private void Adopt(Socket connection)
    {
        if (_spec.NoDelay && connection.ProtocolType == ProtocolType.Tcp)
        {
            connection.NoDelay = true;
        }

        lock (_connectionLock)
        {
            _connection = connection;
        }

        SetConnected(true);
    }

    private void Retire(Socket connection)
    {
        lock (_connectionLock)
        {
            if (!ReferenceEquals(_connection, connection))
            {
                return;
            }

            _connection = null;
        }

        ShutdownQuietly(connection);
        connection.Dispose();
        SetConnected(false);
        if (_spec.Reconnect is TimeSpan period)
        {
            _nextAttempt = Environment.TickCount64 + (long)period.TotalMilliseconds;
        }
    }

    private static void ShutdownQuietly(Socket connection)
    {
        try
        {
            connection.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already disconnected.
        }
        catch (ObjectDisposedException)
        {
            // Already torn down by the reader.
        }
    }
}
