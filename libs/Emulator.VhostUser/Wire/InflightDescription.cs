using System.Buffers.Binary;

namespace Emulator.VhostUser;

/// <summary>
/// GET/SET_INFLIGHT_FD payload: <c>{u64 mmap_size; u64 mmap_offset; u16 num_queues; u16 queue_size}</c>,
/// 24 bytes on the wire because QEMU sends the C struct with its 4 bytes of tail padding.
/// </summary>
public readonly record struct InflightDescription(ulong MmapSize, ulong MmapOffset, ushort NumQueues, ushort QueueSize)
{
    public const int Size = 24;

    public static InflightDescription Parse(ReadOnlySpan<byte> source)
    {
        PayloadReader.RequireLength(source.Length, Size, "inflight description");
        return new InflightDescription(
            BinaryPrimitives.ReadUInt64LittleEndian(source),
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[16..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[18..]));
    }

    public void Write(Span<byte> destination)
    {
        PayloadReader.RequireRoom(destination.Length, Size, "inflight description");
        destination[..Size].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(destination, MmapSize);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], MmapOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[16..], NumQueues);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[18..], QueueSize);
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }
}
