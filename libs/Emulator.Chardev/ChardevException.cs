namespace Emulator.Chardev;

/// <summary>A chardev that cannot be opened or used; the message is meant for the user.</summary>
public sealed class ChardevException : IOException
{
    public ChardevException(string message)
        : base(message)
    {
    }

    public ChardevException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
