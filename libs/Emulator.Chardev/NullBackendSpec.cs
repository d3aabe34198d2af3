namespace Emulator.Chardev;

/// <summary><c>null</c>: output is discarded, there is never input.</summary>
public sealed record NullBackendSpec : ChardevBackendSpec
{
    public override string Name => "null";
}
