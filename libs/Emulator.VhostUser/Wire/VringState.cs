using System.Buffers.Binary;

namespace Emulator.VhostUser;

/// <summary>The vring state description <c>{u32 index; u32 num}</c> (NUM, BASE, GET_VRING_BASE, ENABLE).</summary>
public readonly record struct VringState(uint Index, uint Num)
{
    public const int Size = 8;

    public static VringState Parse(ReadOnlySpan<byte> source)
    {
        PayloadReader.RequireLength(source.Length, Size, "vring state");
        return new VringState(BinaryPrimitives.ReadUInt32LittleEndian(source), BinaryPrimitives.ReadUInt32LittleEndian(source[4..]));
    }

    public void Write(Span<byte> destination)
    {
        PayloadReader.RequireRoom(destination.Length, Size, "vring state");
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Index);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Num);
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }
}
