namespace Emulator.Chardev;

/// <summary><c>pty</c>: a new pseudo-terminal; the slave path is announced on standard error.</summary>
public sealed record PtyBackendSpec : ChardevBackendSpec
{
    public override string Name => "pty";
}
