namespace Emulator.Vmm.Block;

/// <summary>A block device could not be created: its image is missing, or its server failed at start. The message names the option.</summary>
public sealed class BlockDeviceException : Exception
{
    public BlockDeviceException()
    {
    }

    public BlockDeviceException(string message)
        : base(message)
    {
    }

    public BlockDeviceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
