using Emulator.Posix;

namespace Emulator.DeviceHost;

/// <summary>
/// Where front-ends come from: a listening socket (--socket-path) or one already connected socket
/// (--fd). Opened before the host starts so a bad path or descriptor fails fast with status 1.
/// </summary>
public sealed class DeviceEndpoint : IDisposable
{
    private DeviceEndpoint(SafeFd? listener, SafeFd? connection, string? socketPath)
    {
        Listener = listener;
        Connection = connection;
        SocketPath = socketPath;
    }

    /// <summary>Non-null with --socket-path; non-blocking, close-on-exec.</summary>
    public SafeFd? Listener { get; }

    /// <summary>Non-null with --fd; close-on-exec so our own children never inherit it.</summary>
    public SafeFd? Connection { get; }

    public string? SocketPath { get; }

    public static DeviceEndpoint Open(DeviceServerArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.SocketPath is string path)
        {
            return Listen(path);
        }

        if (args.Fd is int fd)
        {
            return Adopt(fd);
        }

        throw new DeviceServerUsageException("one of --socket-path or --fd is required");
    }

    /// <summary>Listens on <paramref name="path"/> (a stale socket file from a dead server is replaced).</summary>
    public static DeviceEndpoint Listen(string path)
    {
        SafeFd listener;
        try
        {
            listener = UnixSocket.Listen(path);
        }
        catch (PosixException e)
        {
            throw new DeviceServerStartException($"cannot listen on '{path}': {e.Message}", e);
        }

        // Poll says "readable" before accept; a client that resets in between must not block us.
        Fd.SetNonBlocking(listener, true);
        return new DeviceEndpoint(listener, null, path);
    }

    /// <summary>Takes ownership of inherited descriptor <paramref name="fd"/> after checking it is a connected UNIX stream socket.</summary>
    public static DeviceEndpoint Adopt(int fd)
    {
        if (fd < 0 || !Fd.IsValid(fd))
        {
            throw new DeviceServerStartException($"--fd {fd}: not an open file descriptor");
        }

        (int domain, int type) = QueryOrExplain(fd);
        if (domain != UnixSocket.DomainUnix || type != UnixSocket.TypeStream)
        {
            throw new DeviceServerStartException($"--fd {fd}: not a UNIX stream socket (domain {domain}, type {type})");
        }

        var socket = new SafeFd(fd);
        Fd.SetCloseOnExec(socket, true);
        return new DeviceEndpoint(null, socket, null);
    }

    public void Dispose()
    {
        Connection?.Dispose();
        if (Listener is not null)
        {
            Listener.Dispose();
            RemoveSocketFile();
        }
    }

    /// <summary>Asks through a non-owning handle: nothing is closed if the descriptor is rejected.</summary>
    private static (int Domain, int Type) QueryOrExplain(int fd)
    {
        using var probe = new SafeFd(fd, ownsHandle: false);
        try
        {
            return UnixSocket.GetSocketType(probe);
        }
        catch (PosixException e) when (e.Errno == Errno.ENOTSOCK)
        {
            throw new DeviceServerStartException($"--fd {fd}: not a socket", e);
        }
    }

    /// <summary>
    /// Best effort: a socket file left behind is harmless (the next Listen replaces a stale one),
    /// so failing to delete it must not turn a clean exit into a failure. Our listener is closed by
    /// now, so the file is stale unless another server took the path meanwhile; that one answers the
    /// probe and keeps its file.
    /// </summary>
    private void RemoveSocketFile()
    {
        try
        {
            if (SocketPath is not null)
            {
                UnixSocket.RemoveStaleSocket(SocketPath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind; see above.
        }
    }
}
