namespace Emulator.VirtioBlock;

/// <summary>Virtio feature bits a virtio-blk device uses (virtio 1.2, 5.2.3 and 6).</summary>
public static class VirtioBlkFeatures
{
    public const ulong SizeMax = 1UL << 1;
    public const ulong SegMax = 1UL << 2;
    public const ulong Geometry = 1UL << 4;
    public const ulong ReadOnly = 1UL << 5;
    public const ulong BlkSize = 1UL << 6;
    public const ulong Flush = 1UL << 9;
    public const ulong Topology = 1UL << 10;
    public const ulong ConfigWce = 1UL << 11;
    public const ulong MultiQueue = 1UL << 12;
    public const ulong Discard = 1UL << 13;
    public const ulong WriteZeroes = 1UL << 14;
    public const ulong RingIndirectDesc = 1UL << 28;
    public const ulong RingEventIdx = 1UL << 29;
    public const ulong Version1 = 1UL << 32;
}
