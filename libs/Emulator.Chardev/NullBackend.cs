namespace Emulator.Chardev;

/// <summary><c>null</c>: writes vanish, reads wait until stopped. Never connected (as in QEMU).</summary>
public sealed class NullBackend : ChardevBackend
{
    public NullBackend(string id)
        : base(id)
    {
    }

    private protected override void StartCore()
    {
    }

    private protected override int ReadCore(Span<byte> buffer)
    {
        Stopping.Sleep(-1);
        return 0;
    }

    private protected override void WriteCore(ReadOnlySpan<byte> data)
    {
    }

    private protected override void ReleaseResources()
    {
    }
}
