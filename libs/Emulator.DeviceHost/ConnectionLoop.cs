using Emulator.Posix;
using Microsoft.Extensions.Logging;

namespace Emulator.DeviceHost;

/// <summary>
/// Hands front-end connections to the <see cref="IConnectionHandler"/>: accept-serve-repeat on a
/// listener, or serve one inherited connection. Every wait also wakes on the stop token, and a
/// stop shuts the current socket down so a handler blocked in a read returns at once.
/// </summary>
public sealed class ConnectionLoop
{
    private readonly IConnectionHandler _handler;
    private readonly ILogger _logger;

    public ConnectionLoop(IConnectionHandler handler, ILogger logger)
    {
        _handler = handler;
        _logger = logger;
    }

    /// <summary>Runs the loop for <paramref name="endpoint"/> until the peer (--fd) or <paramref name="stop"/> ends it.</summary>
    public void Run(DeviceEndpoint endpoint, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Listener is SafeFd listener)
        {
            _logger.LogInformation("listening on {Path}", endpoint.SocketPath);
            ServeListener(listener, stop);
        }
        else if (endpoint.Connection is SafeFd connection)
        {
            ServeConnection(connection, stop);
        }
    }

    /// <summary>
    /// Serves one front-end at a time and goes on listening after it leaves. A failed connection
    /// (IOException, InvalidDataException) is logged and the next front-end is awaited.
    /// </summary>
    public void ServeListener(SafeFd listener, CancellationToken stop)
    {
        // The token turned into a descriptor that poll can wait on next to the listener.
        using var stopped = new StopEvent();
        using CancellationTokenRegistration registration = stop.Register(stopped.Set);
        while (!stop.IsCancellationRequested)
        {
            int revents = stopped.Wait(listener, PollEvents.In, -1);
            if (revents < 0 || stop.IsCancellationRequested)
            {
                break;
            }

            if ((revents & (PollEvents.Err | PollEvents.Nval)) != 0)
            {
                throw new IOException($"listening socket failed (poll revents 0x{revents:x})");
            }

            using SafeFd? connection = UnixSocket.Accept(listener);
            if (connection is null)
            {
                continue;
            }

            _logger.LogInformation("front-end connected");
            try
            {
                Serve(connection, stop);
                _logger.LogInformation("front-end disconnected");
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                _logger.LogWarning("front-end connection failed: {Message}", e.Message);
            }
        }
    }

    /// <summary>Serves the one inherited connection; returns when it hangs up or on stop. Failures propagate.</summary>
    public void ServeConnection(SafeFd connection, CancellationToken stop)
    {
        Serve(connection, stop);
        if (!stop.IsCancellationRequested)
        {
            _logger.LogInformation("front-end hung up");
        }
    }

    private void Serve(SafeFd connection, CancellationToken stop)
    {
        // Disposed before the caller closes the socket, so the callback never touches a closed
        // (and possibly reused) descriptor number: Dispose waits for a running callback.
        using CancellationTokenRegistration registration = stop.Register(() => ShutdownQuietly(connection));
        _handler.Serve(connection, stop);
    }

    private static void ShutdownQuietly(SafeFd socket)
    {
        if (socket.IsClosed)
        {
            return;
        }

        try
        {
            UnixSocket.Shutdown(socket);
        }
        catch (PosixException e) when (e.Errno == Errno.EBADF)
        {
            // The handler closed it itself: nothing left to wake.
        }
    }
}
