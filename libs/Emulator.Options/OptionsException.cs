namespace Emulator.Options;

/// <summary>A command-line option that cannot be understood; the message is shown to the user as is.</summary>
public sealed class OptionsException : Exception
{
    public OptionsException(string message)
        : base(message)
    {
    }
}
