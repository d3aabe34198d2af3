namespace Emulator.Chardev;

/// <summary>A shared byte ring whose header or indexes cannot be trusted (corrupt or hostile peer).</summary>
public sealed class ByteRingException : IOException
{
    public ByteRingException(string message)
        : base(message)
    {
    }
}
