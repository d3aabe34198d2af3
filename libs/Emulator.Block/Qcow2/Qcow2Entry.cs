namespace Emulator.Block;

/// <summary>The bits of L1 and L2 table entries (qcow2.txt, "Cluster mapping").</summary>
internal static class Qcow2Entry
{
    /// <summary>Refcount is exactly one: the cluster may be written in place.</summary>
    public const ulong Copied = 1UL << 63;

    public const ulong Compressed = 1UL << 62;

    /// <summary>v3: the cluster reads as zeroes (it may still own a host cluster).</summary>
    public const ulong Zero = 1;

    /// <summary>Bits 9-55: a host cluster offset.</summary>
    public const ulong OffsetMask = 0x00FF_FFFF_FFFF_FE00;

    /// <summary>Bits an L1 entry must leave clear (QEMU's L1E_RESERVED_MASK).</summary>
    public const ulong L1Reserved = 0x7F00_0000_0000_01FF;

    /// <summary>Bits a standard (uncompressed) L2 entry must leave clear (QEMU's L2E_STD_RESERVED_MASK).</summary>
    public const ulong L2Reserved = 0x3F00_0000_0000_01FE;

    /// <summary>Host offset and byte length of a compressed cluster's data.</summary>
    public static (ulong Offset, ulong Length) CompressedRange(ulong entry, int clusterBits)
    {
        int shift = 62 - (clusterBits - 8);
        ulong offset = entry & ((1UL << shift) - 1);
        ulong sectors = ((entry >> shift) & ((1UL << (clusterBits - 8)) - 1)) + 1;
        return (offset, (sectors * 512) - (offset & 511));
    }
}
