namespace Emulator.Platform;

/// <summary>
/// A firmware or kernel image that cannot be loaded (wrong size, no multiboot header, a header or
/// ELF field pointing outside the file or RAM...). The only exception the loaders throw for bad
/// input; the message says what is wrong in terms a user can act on.
/// </summary>
public sealed class BootImageException : Exception
{
    public BootImageException()
    {
    }

    public BootImageException(string message)
        : base(message)
    {
    }

    public BootImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
