using Emulator.DeviceHost;
using Emulator.Posix;
using Emulator.VhostUser;
using Microsoft.Extensions.Logging;

namespace Emulator.Chardev;

/// <summary>
/// The chardev server's per-connection work: opens the process's chardev on the first connection
/// (it then lives until the process ends, across reconnects) and runs a <see cref="VhostUserBackend"/>
/// session over the <see cref="ChardevDevice"/> for each front-end.
/// </summary>
public sealed class ChardevConnectionHandler : IConnectionHandler, IDisposable
{
    private readonly ChardevHub _hub;
    private readonly ChardevDevice _device;
    private readonly ILogger _logger;

    public ChardevConnectionHandler(ChardevServerSettings settings, ILogger<ChardevConnectionHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _logger = logger;
        _hub = new ChardevHub(settings.Spec, settings.FrontEndCount);
        _device = new ChardevDevice(_hub, message => _logger.LogWarning("{Message}", message));
    }

    public void Serve(SafeFd socket, CancellationToken stop)
    {
        // A wait=on server blocks here for its first client; a stop must still get through.
        using (stop.Register(_hub.Stop))
        {
            _hub.Start();
        }

        // The session closes its descriptor when it ends; the host keeps (and closes) the original.
        // Session chatter ("front-end hung up") is debug-level: a failure comes back from Run and is thrown below.
        var session = new VhostUserBackend(Fd.Duplicate(socket), _device, message => _logger.LogDebug("{Message}", message));
        _device.BeginSession(session);
        VhostUserProtocolException? error;
        try
        {
            error = session.Run();
        }
        finally
        {
            _device.EndSession();
        }

        if (error is not null)
        {
            throw new InvalidDataException(error.Message, error);
        }
    }

    public void Dispose()
    {
        if (_device.HasSession)
        {
            // Shutdown timed out with a session still running: stop the backend (restoring the
            // terminal) and leave the memory its threads may touch to process exit.
            _hub.Stop();
            _device.Dispose();
            return;
        }

        _device.Dispose();
        _hub.Dispose();
    }
}
