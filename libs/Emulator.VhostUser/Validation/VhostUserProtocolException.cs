namespace Emulator.VhostUser;

/// <summary>
/// A message or peer behaviour the protocol does not allow (malformed, out of range, wrong state,
/// timed out, connection lost). The session that sees it logs it and closes the connection.
/// </summary>
public sealed class VhostUserProtocolException : Exception
{
    public VhostUserProtocolException(string message)
        : base(message)
    {
    }

    public VhostUserProtocolException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
