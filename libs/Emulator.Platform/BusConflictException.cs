namespace Emulator.Platform;

/// <summary>A device registration the bus refuses: an empty range, or one that overlaps a device already there.</summary>
public sealed class BusConflictException : Exception
{
    public BusConflictException()
    {
    }

    public BusConflictException(string message)
        : base(message)
    {
    }

    public BusConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
