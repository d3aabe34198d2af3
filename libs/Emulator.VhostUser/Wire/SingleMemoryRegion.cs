namespace Emulator.VhostUser;

/// <summary>ADD_MEM_REG / REM_MEM_REG payload (40 bytes): <c>{u64 padding; region}</c>.</summary>
public static class SingleMemoryRegion
{
    public const int Size = 8 + MemoryRegionDescription.Length;

    public static MemoryRegionDescription Parse(ReadOnlySpan<byte> source)
    {
        PayloadReader.RequireLength(source.Length, Size, "single memory region");
        return MemoryRegionDescription.Parse(source[8..]);
    }

    public static byte[] ToArray(MemoryRegionDescription region)
    {
        byte[] bytes = new byte[Size];
        region.Write(bytes.AsSpan(8));
        return bytes;
    }
}
