using Emulator.DeviceHost;
using Emulator.Posix;

namespace Emulator.System.Tests;

/// <summary>Fails its first <c>failures</c> connections with the given exception, then echoes.</summary>
public sealed class ThrowingHandler : IConnectionHandler
{
    private readonly Func<Exception> _exception;
    private readonly EchoHandler _echo = new(DeviceServerArgumentParser.Parse(EchoHandler.Definition, ["--print-capabilities"]));
    private int _failuresLeft;

    public ThrowingHandler(Func<Exception> exception, int failures = int.MaxValue)
    {
        _exception = exception;
        _failuresLeft = failures;
    }

    public void Serve(SafeFd socket, CancellationToken stop)
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw _exception();
        }

        _echo.Serve(socket, stop);
    }
}
