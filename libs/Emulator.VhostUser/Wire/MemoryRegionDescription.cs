using System.Buffers.Binary;

namespace Emulator.VhostUser;

/// <summary>A memory region (32 bytes): <c>{u64 guest_phys_addr; u64 size; u64 userspace_addr; u64 mmap_offset}</c>.</summary>
public readonly record struct MemoryRegionDescription(ulong GuestAddress, ulong Size, ulong UserAddress, ulong MmapOffset)
{
    public const int Length = 32;

    public static MemoryRegionDescription Parse(ReadOnlySpan<byte> source)
    {
        PayloadReader.RequireLength(source.Length, Length, "memory region");
        return new MemoryRegionDescription(
            BinaryPrimitives.ReadUInt64LittleEndian(source),
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[24..]));
    }

    public void Write(Span<byte> destination)
    {
        PayloadReader.RequireRoom(destination.Length, Length, "memory region");
        BinaryPrimitives.WriteUInt64LittleEndian(destination, GuestAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Size);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], UserAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], MmapOffset);
    }
}
