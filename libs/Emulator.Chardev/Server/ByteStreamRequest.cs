using System.Buffers.Binary;
using Emulator.VhostUser;

namespace Emulator.Chardev;

/// <summary>EMU_SET_BYTE_STREAM's payload: <c>{u32 stream; u32 flags}</c>, little-endian. No flags are defined yet.</summary>
public readonly record struct ByteStreamRequest(uint Stream, uint Flags)
{
    public const int Size = 8;

    /// <summary>Reads a payload from an untrusted peer: exact size, stream below the protocol maximum, flags zero.</summary>
    public static ByteStreamRequest Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != Size)
        {
            throw new VhostUserProtocolException($"EMU_SET_BYTE_STREAM payload is {payload.Length} bytes, expected {Size}");
        }

        var request = new ByteStreamRequest(BinaryPrimitives.ReadUInt32LittleEndian(payload), BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]));
        if (request.Stream >= ByteStreamProtocol.MaxStreams)
        {
            throw new VhostUserProtocolException($"EMU_SET_BYTE_STREAM names stream {request.Stream}; streams are 0..{ByteStreamProtocol.MaxStreams - 1}");
        }

        if (request.Flags != 0)
        {
            throw new VhostUserProtocolException($"EMU_SET_BYTE_STREAM sets undefined flags 0x{request.Flags:x}");
        }

        return request;
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[Size];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Stream);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Flags);
        return bytes;
    }
}
