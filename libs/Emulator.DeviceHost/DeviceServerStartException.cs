namespace Emulator.DeviceHost;

/// <summary>The server cannot start although its command line is well formed (exit status 1).</summary>
public sealed class DeviceServerStartException : Exception
{
    public DeviceServerStartException(string message)
        : base(message)
    {
    }

    public DeviceServerStartException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public DeviceServerStartException()
        : base("the device server cannot start")
    {
    }
}
