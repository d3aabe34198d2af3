using System.Buffers.Binary;

namespace Emulator.VhostUser;

/// <summary>SET_MEM_TABLE payload: <c>{u32 nregions; u32 padding; region[nregions]}</c>, 1 to 8 regions.</summary>
public sealed class MemoryTable
{
    public const int HeaderLength = 8;

    public MemoryTable(IReadOnlyList<MemoryRegionDescription> regions)
    {
        if (regions.Count is < 1 or > VhostUserLimits.MaxMemTableRegions)
        {
            throw new VhostUserProtocolException($"a memory table holds 1..{VhostUserLimits.MaxMemTableRegions} regions, not {regions.Count}");
        }

        Regions = regions;
    }

    public IReadOnlyList<MemoryRegionDescription> Regions { get; }

    public int PayloadLength => PayloadLengthFor(Regions.Count);

    public static int PayloadLengthFor(int regionCount) => HeaderLength + (MemoryRegionDescription.Length * regionCount);

    public static MemoryTable Parse(ReadOnlySpan<byte> source)
    {
        if (source.Length < HeaderLength)
        {
            throw new VhostUserProtocolException($"memory table payload of {source.Length} bytes has no header");
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(source);
        if (count is < 1 or > VhostUserLimits.MaxMemTableRegions)
        {
            throw new VhostUserProtocolException($"memory table claims {count} regions (1..{VhostUserLimits.MaxMemTableRegions} allowed)");
        }

        PayloadReader.RequireLength(source.Length, PayloadLengthFor((int)count), "memory table");
        var regions = new MemoryRegionDescription[count];
        for (int i = 0; i < regions.Length; i++)
        {
            int at = HeaderLength + (i * MemoryRegionDescription.Length);
            regions[i] = MemoryRegionDescription.Parse(source.Slice(at, MemoryRegionDescription.Length));
        }

        return new MemoryTable(regions);
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[PayloadLength];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)Regions.Count);
        for (int i = 0; i < Regions.Count; i++)
        {
            Regions[i].Write(bytes.AsSpan(HeaderLength + (i * MemoryRegionDescription.Length), MemoryRegionDescription.Length));
        }

        return bytes;
    }
}
