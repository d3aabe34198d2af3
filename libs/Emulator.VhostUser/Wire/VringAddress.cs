using System.Buffers.Binary;

namespace Emulator.VhostUser;

/// <summary>
/// The vring address description (40 bytes): <c>{u32 index; u32 flags; u64 desc; u64 used; u64 avail; u64 log}</c>.
/// Note the order: used comes before avail. Ring addresses are front-end virtual addresses.
/// </summary>
public readonly record struct VringAddress(uint Index, uint Flags, ulong Descriptor, ulong Used, ulong Available, ulong Log)
{
    public const int Size = 40;

    /// <summary>VHOST_VRING_F_LOG: log used-ring writes in the dirty log at <see cref="Log"/> (the used ring's guest-physical address).</summary>
    public const uint FlagLog = 0x1;

    public static VringAddress Parse(ReadOnlySpan<byte> source)
    {
        PayloadReader.RequireLength(source.Length, Size, "vring address");
        return new VringAddress(
            BinaryPrimitives.ReadUInt32LittleEndian(source),
            BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[32..]));
    }

    public void Write(Span<byte> destination)
    {
        PayloadReader.RequireRoom(destination.Length, Size, "vring address");
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Index);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Descriptor);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], Used);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], Available);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], Log);
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }
}
