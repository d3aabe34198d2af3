namespace Emulator.Chardev;

/// <summary><c>stdio</c>: our standard input and output, in raw mode when they are a terminal.</summary>
/// <param name="Signal">
/// <c>signal=on</c> (the default) keeps ISIG, so Ctrl-C interrupts the emulator; <c>signal=off</c>
/// passes Ctrl-C to the guest as byte 0x03 (what <c>mon:stdio</c> selects).
/// </param>
public sealed record StdioBackendSpec(bool Signal = true) : ChardevBackendSpec
{
    public override string Name => "stdio";
}
