using System.Buffers.Binary;
using Emulator.VhostUser;

namespace Emulator.Chardev;

/// <summary>EMU_CHARDEV_EVENT's payload: <c>{u32 event; u32 stream}</c>, little-endian; the stream is 0 where it has no meaning.</summary>
public readonly record struct ChardevEvent(ChardevEventKind Kind, uint Stream)
{
    public const int Size = 8;

    /// <summary>Reads a payload from an untrusted server: exact size, a known event, a stream within the protocol's range.</summary>
    public static ChardevEvent Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != Size)
        {
            throw new VhostUserProtocolException($"EMU_CHARDEV_EVENT payload is {payload.Length} bytes, expected {Size}");
        }

        var kind = (ChardevEventKind)BinaryPrimitives.ReadUInt32LittleEndian(payload);
        uint stream = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        if (!Enum.IsDefined(kind))
        {
            throw new VhostUserProtocolException($"EMU_CHARDEV_EVENT reports unknown event {(uint)kind}");
        }

        if (stream >= ByteStreamProtocol.MaxStreams)
        {
            throw new VhostUserProtocolException($"EMU_CHARDEV_EVENT names stream {stream}; streams are 0..{ByteStreamProtocol.MaxStreams - 1}");
        }

        return new ChardevEvent(kind, stream);
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[Size];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)Kind);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Stream);
        return bytes;
    }
}
