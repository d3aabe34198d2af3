namespace Emulator.VhostUser;

/// <summary>The one length check every fixed-layout payload parser and writer goes through.</summary>
internal static class PayloadReader
{
    public static void RequireLength(int actual, int expected, string what)
    {
        if (actual != expected)
        {
            throw new VhostUserProtocolException($"{what} payload must be {expected} bytes, got {actual}");
        }
    }

    public static void RequireRoom(int actual, int needed, string what)
    {
        if (actual < needed)
        {
            throw new ArgumentException($"{what} needs {needed} bytes of room, got {actual}");
        }
    }
}
