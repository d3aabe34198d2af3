namespace Emulator.Bench;

/// <summary>The one chain the bench submits over and over: a device-readable buffer, optionally followed by a device-writable one.</summary>
public sealed record ChainShape(uint ReadableBytes, uint WritableBytes)
{
    /// <summary>A request and room for its answer (the test peer's echo ring copies one into the other).</summary>
    public static ChainShape Echo { get; } = new(64, 64);

    /// <summary>Bytes for the device to consume, nothing back (a console's transmit queue).</summary>
    public static ChainShape TransmitOnly { get; } = new(64, 0);
}
