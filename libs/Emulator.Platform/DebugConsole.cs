namespace Emulator.Platform;

/// <summary>
/// QEMU's <c>isa-debugcon</c> (<c>-debugcon</c>): each byte written to port 0xE9 goes to a stream
/// at once; reads return the readback value 0xE9 (how a guest detects the console, as in Bochs).
/// Wider writes send their low byte, as QEMU does.
/// </summary>
public sealed class DebugConsole : IPortDevice
{
    public const ushort DefaultPort = 0xE9;

    private readonly Stream _output;

    public DebugConsole(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    public static PortRange Range => new(DefaultPort, 1);

    public uint Read(ushort offset, int size) => DefaultPort;

    public void Write(ushort offset, int size, uint value)
    {
        _output.WriteByte((byte)value);
        _output.Flush();
    }
}
