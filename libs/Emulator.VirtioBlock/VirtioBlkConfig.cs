using System.Buffers.Binary;

namespace Emulator.VirtioBlock;

/// <summary>
/// struct virtio_blk_config (virtio 1.2, 5.2.4), little-endian, as GET_CONFIG serves it. Fields past
/// write_zeroes_may_unmap (secure erase, zoned) stay zero: their features are never offered.
/// </summary>
public static class VirtioBlkConfig
{
    public const uint Size = 96;

    public const int CapacityOffset = 0;
    public const int SizeMaxOffset = 8;
    public const int SegMaxOffset = 12;
    public const int CylindersOffset = 16;
    public const int HeadsOffset = 18;
    public const int SectorsOffset = 19;
    public const int BlkSizeOffset = 20;
    public const int PhysicalBlockExpOffset = 24;
    public const int AlignmentOffsetOffset = 25;
    public const int MinIoSizeOffset = 26;
    public const int OptIoSizeOffset = 28;
    public const int WritebackOffset = 32;
    public const int NumQueuesOffset = 34;
    public const int MaxDiscardSectorsOffset = 36;
    public const int MaxDiscardSegOffset = 40;
    public const int DiscardSectorAlignmentOffset = 44;
    public const int MaxWriteZeroesSectorsOffset = 48;
    public const int MaxWriteZeroesSegOffset = 52;
    public const int WriteZeroesMayUnmapOffset = 56;

    /// <summary>The logical block size we report: the sector, like QEMU's default.</summary>
    public const uint BlockSize = 512;

    /// <summary>The classic fake geometry of 16 heads and 63 sectors per track; only HDIO_GETGEO sees it.</summary>
    public const byte GeometryHeads = 16;
    public const byte GeometrySectors = 63;

    public static byte[] Build(BlockLimits limits, ushort numQueues, bool writeback, bool mayUnmap)
    {
        ArgumentNullException.ThrowIfNull(limits);
        byte[] c = new byte[Size];
        Span<byte> s = c;
        BinaryPrimitives.WriteUInt64LittleEndian(s[CapacityOffset..], limits.CapacitySectors);
        BinaryPrimitives.WriteUInt32LittleEndian(s[SegMaxOffset..], limits.SegMax);
        ulong cylinders = limits.CapacitySectors / (GeometryHeads * (ulong)GeometrySectors);
        BinaryPrimitives.WriteUInt16LittleEndian(s[CylindersOffset..], (ushort)Math.Min(cylinders, ushort.MaxValue));
        c[HeadsOffset] = GeometryHeads;
        c[SectorsOffset] = GeometrySectors;
        BinaryPrimitives.WriteUInt32LittleEndian(s[BlkSizeOffset..], BlockSize);
        BinaryPrimitives.WriteUInt16LittleEndian(s[MinIoSizeOffset..], 1);
        c[WritebackOffset] = writeback ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16LittleEndian(s[NumQueuesOffset..], numQueues);
        BinaryPrimitives.WriteUInt32LittleEndian(s[MaxDiscardSectorsOffset..], limits.MaxDiscardSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(s[MaxDiscardSegOffset..], limits.MaxDiscardSegments);
        BinaryPrimitives.WriteUInt32LittleEndian(s[DiscardSectorAlignmentOffset..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(s[MaxWriteZeroesSectorsOffset..], limits.MaxWriteZeroesSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(s[MaxWriteZeroesSegOffset..], limits.MaxWriteZeroesSegments);
        c[WriteZeroesMayUnmapOffset] = mayUnmap ? (byte)1 : (byte)0;
        return c;
    }
}
