namespace Emulator.Block;

/// <summary>A disk image could not be opened or a request on it failed on the host side (I/O error, corrupt metadata, read-only).</summary>
public sealed class BlockImageException : Exception
{
    public BlockImageException()
    {
    }

    public BlockImageException(string message)
        : base(message)
    {
    }

    public BlockImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
