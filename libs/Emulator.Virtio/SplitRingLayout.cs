namespace Emulator.Virtio;

/// <summary>Sizes, alignments and field offsets of the three parts of a split virtqueue (virtio 1.2, 2.7).</summary>
public static class SplitRingLayout
{
    public const ushort MaxQueueSize = 32768;

    public const ulong DescriptorSize = 16;

    public const ulong DescTableAlignment = 16;

    public const ulong AvailRingAlignment = 2;

    public const ulong UsedRingAlignment = 4;

    /// <summary>Offset of <c>flags</c> in both the avail and the used ring.</summary>
    public const ulong FlagsOffset = 0;

    /// <summary>Offset of <c>idx</c> in both the avail and the used ring.</summary>
    public const ulong IndexOffset = 2;

    /// <summary>Offset of <c>ring[0]</c> in both the avail and the used ring.</summary>
    public const ulong RingOffset = 4;

    public const ulong UsedElementSize = 8;

    /// <summary>A power of two in 1..32768, so 16-bit ring indexes tell a full ring from an empty one.</summary>
    public static bool IsValidQueueSize(ushort size) => size != 0 && size <= MaxQueueSize && (size & (size - 1)) == 0;

    public static ulong DescTableBytes(ushort size) => DescriptorSize * size;

    /// <summary>flags, idx, ring[size], used_event.</summary>
    public static ulong AvailRingBytes(ushort size) => 6 + (2UL * size);

    /// <summary>flags, idx, ring[size] of {u32 id; u32 len}, avail_event.</summary>
    public static ulong UsedRingBytes(ushort size) => 6 + (UsedElementSize * size);

    /// <summary>Offset of <c>used_event</c>, the u16 after the avail ring entries.</summary>
    public static ulong UsedEventOffset(ushort size) => RingOffset + (2UL * size);

    /// <summary>Offset of <c>avail_event</c>, the u16 after the used ring entries.</summary>
    public static ulong AvailEventOffset(ushort size) => RingOffset + (UsedElementSize * size);
}
