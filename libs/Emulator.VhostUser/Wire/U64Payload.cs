using System.Buffers.Binary;

namespace Emulator.VhostUser;

/// <summary>The single-u64 payload (features, protocol features, queue count, status, REPLY_ACK status).</summary>
public static class U64Payload
{
    public const int Size = 8;

    public static ulong Parse(ReadOnlySpan<byte> source)
    {
        PayloadReader.RequireLength(source.Length, Size, "u64");
        return BinaryPrimitives.ReadUInt64LittleEndian(source);
    }

    public static void Write(Span<byte> destination, ulong value)
    {
        PayloadReader.RequireRoom(destination.Length, Size, "u64");
        BinaryPrimitives.WriteUInt64LittleEndian(destination, value);
    }

    public static byte[] ToArray(ulong value)
    {
        byte[] bytes = new byte[Size];
        Write(bytes, value);
        return bytes;
    }
}
