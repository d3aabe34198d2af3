using System.Buffers.Binary;

namespace Emulator.VirtioBlock.Tests;

/// <summary>Request bytes as a driver lays them out.</summary>
internal static class Requests
{
    public static byte[] Header(VirtioBlkRequestType type, ulong sector) => Header((uint)type, sector);

    public static byte[] Header(uint type, ulong sector)
    {
        byte[] h = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(h, type);
        BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(8), sector);
        return h;
    }

    public static byte[] Segments(params (ulong Sector, uint Count, uint Flags)[] segments)
    {
        byte[] s = new byte[16 * segments.Length];
        for (int i = 0; i < segments.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(s.AsSpan(16 * i), segments[i].Sector);
            BinaryPrimitives.WriteUInt32LittleEndian(s.AsSpan((16 * i) + 8), segments[i].Count);
            BinaryPrimitives.WriteUInt32LittleEndian(s.AsSpan((16 * i) + 12), segments[i].Flags);
        }

        return s;
    }

    public static byte[] Pattern(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
