namespace Emulator.GdbStub;

/// <summary>What one byte from the debugger completed, as <see cref="GdbPacketDecoder.Feed"/> reports it.</summary>
public enum GdbInput
{
    /// <summary>Nothing yet (inside a packet, or noise between packets that the protocol ignores).</summary>
    None,

    /// <summary>A packet with a good checksum: <see cref="GdbPacketDecoder.Payload"/> holds its decoded data.</summary>
    Packet,

    /// <summary>A packet whose checksum did not match: answer <c>-</c> so the debugger retransmits.</summary>
    BadChecksum,

    /// <summary>A packet longer than the limit: its bytes were dropped, not buffered.</summary>
    TooLong,

    /// <summary><c>+</c>: the debugger received our last packet.</summary>
    Ack,

    /// <summary><c>-</c>: the debugger wants our last packet again.</summary>
    Nack,

    /// <summary>The out-of-band 0x03 byte between packets (Ctrl-C).</summary>
    Interrupt,
}
