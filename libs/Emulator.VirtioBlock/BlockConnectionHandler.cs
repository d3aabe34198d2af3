using Emulator.Block;
using Emulator.DeviceHost;
using Emulator.Posix;
using Emulator.VhostUser;
using Microsoft.Extensions.Logging;

namespace Emulator.VirtioBlock;

/// <summary>
/// emu-block's per-connection work: one <see cref="VirtioBlockDevice"/> for the process (so the image
/// stays open across front-end reconnects) and a <see cref="VhostUserBackend"/> session per front-end.
/// Disposing it closes the image.
/// </summary>
public sealed class BlockConnectionHandler : IConnectionHandler, IDisposable
{
    private readonly IBlockImage _image;
    private readonly VirtioBlockDevice _device;
    private readonly ILogger _logger;
    private int _sessions;

    public BlockConnectionHandler(IBlockImage image, BlockDeviceSettings settings, ILogger<BlockConnectionHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(image);
        _image = image;
        _logger = logger;
        _device = new VirtioBlockDevice(image, settings, message => _logger.LogWarning("{Message}", message));
    }

    public void Serve(SafeFd socket, CancellationToken stop)
    {
        // The session closes its own duplicate; the host keeps (and closes) the original.
        var session = new VhostUserBackend(Fd.Duplicate(socket), _device, message => _logger.LogDebug("{Message}", message));
        Interlocked.Increment(ref _sessions);
        VhostUserProtocolException? error;
        try
        {
            error = session.Run();
        }
        finally
        {
            _device.EndSession();
            Interlocked.Decrement(ref _sessions);
        }

        if (error is not null)
        {
            throw new InvalidDataException(error.Message, error);
        }
    }

    public void Dispose()
    {
        // A session still running (shutdown timed out) may have ring threads inside the image: leave it to process exit.
        if (Volatile.Read(ref _sessions) == 0)
        {
            _image.Dispose();
        }
    }
}
