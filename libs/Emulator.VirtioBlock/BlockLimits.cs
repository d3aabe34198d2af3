namespace Emulator.VirtioBlock;

/// <summary>
/// What the device advertised and negotiated, as far as validating a request needs it. Immutable: the
/// device swaps in a new one when features change (the rings are stopped then).
/// </summary>
public sealed record BlockLimits
{
    /// <summary>Sector numbers in requests always count 512-byte units, whatever blk_size says.</summary>
    public const uint SectorSize = 512;

    /// <summary>Bytes of one discard / write-zeroes segment: {le64 sector; le32 num_sectors; le32 flags}.</summary>
    public const int SegmentSize = 16;

    /// <summary>The virtio_blk_outhdr: {le32 type; le32 reserved; le64 sector}.</summary>
    public const int HeaderSize = 16;

    /// <summary>The GET_ID reply: the serial, NUL-padded, not NUL-terminated when 20 bytes long.</summary>
    public const int IdBytes = 20;

    /// <summary>The disk size in 512-byte sectors.</summary>
    public required ulong CapacitySectors { get; init; }

    /// <summary>Most data buffers one read or write may use (config seg_max).</summary>
    public uint SegMax { get; init; } = 126;

    public uint MaxDiscardSectors { get; init; } = 1u << 22;

    public uint MaxDiscardSegments { get; init; } = 32;

    public uint MaxWriteZeroesSectors { get; init; } = 1u << 22;

    public uint MaxWriteZeroesSegments { get; init; } = 32;

    /// <summary>Writes, discards and write-zeroes fail with IOERR (as QEMU does for a read-only drive).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>VIRTIO_BLK_F_DISCARD was negotiated; otherwise discard is UNSUPP.</summary>
    public bool DiscardEnabled { get; init; }

    /// <summary>VIRTIO_BLK_F_WRITE_ZEROES was negotiated; otherwise write-zeroes is UNSUPP.</summary>
    public bool WriteZeroesEnabled { get; init; }
}
