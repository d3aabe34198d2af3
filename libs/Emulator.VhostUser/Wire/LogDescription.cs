using System.Buffers.Binary;

namespace Emulator.VhostUser;

/// <summary>SET_LOG_BASE payload (with LOG_SHMFD): <c>{u64 mmap_size; u64 mmap_offset}</c>; the log's memfd rides along.</summary>
public readonly record struct LogDescription(ulong MmapSize, ulong MmapOffset)
{
    public const int Size = 16;

    public static LogDescription Parse(ReadOnlySpan<byte> source)
    {
        PayloadReader.RequireLength(source.Length, Size, "log description");
        return new LogDescription(BinaryPrimitives.ReadUInt64LittleEndian(source), BinaryPrimitives.ReadUInt64LittleEndian(source[8..]));
    }

    public void Write(Span<byte> destination)
    {
        PayloadReader.RequireRoom(destination.Length, Size, "log description");
        BinaryPrimitives.WriteUInt64LittleEndian(destination, MmapSize);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], MmapOffset);
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }
}
