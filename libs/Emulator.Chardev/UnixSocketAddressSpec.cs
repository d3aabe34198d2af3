namespace Emulator.Chardev;

/// <summary>A UNIX socket path (<c>path=</c> or <c>unix:PATH</c>).</summary>
public sealed record UnixSocketAddressSpec(string Path) : SocketAddressSpec
{
    public override string ToString() => $"unix:{Path}";
}
