namespace Emulator.DeviceHost;

/// <summary>
/// A command-line error (exit status 2). Servers may throw it from their configure callback to
/// reject a value of one of their own options, e.g. a malformed <c>--chardev</c> string.
/// </summary>
public sealed class DeviceServerUsageException : Exception
{
    public DeviceServerUsageException(string message)
        : base(message)
    {
    }

    public DeviceServerUsageException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public DeviceServerUsageException()
        : base("invalid command line")
    {
    }
}
