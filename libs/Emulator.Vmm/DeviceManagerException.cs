namespace Emulator.Vmm;

/// <summary>A device server could not be started or reached.</summary>
public sealed class DeviceManagerException : Exception
{
    public DeviceManagerException(string message)
        : base(message)
    {
    }

    public DeviceManagerException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public DeviceManagerException()
        : base("device manager error")
    {
    }
}
