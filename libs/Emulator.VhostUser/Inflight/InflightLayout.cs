namespace Emulator.VhostUser;

/// <summary>
/// The split-queue in-flight region layout (vhost-user.rst, "Inflight I/O tracking"): per queue a 16-byte
/// header <c>{u64 features; u16 version; u16 desc_num; u16 last_batch_head; u16 used_idx}</c> and desc_num
/// 16-byte entries <c>{u8 inflight; u8 pad[5]; u16 next; u64 counter}</c>. The spec leaves the spacing
/// between queues to the back-end; like libvhost-user each queue region starts on a 64-byte boundary.
/// </summary>
public static class InflightLayout
{
    public const int Version = 1;
    public const int QueueAlignment = 64;
    public const int HeaderSize = 16;
    public const int EntrySize = 16;

    public const int FeaturesOffset = 0;
    public const int VersionOffset = 8;
    public const int DescNumOffset = 10;
    public const int LastBatchHeadOffset = 12;
    public const int UsedIdxOffset = 14;

    public const int EntryInflightOffset = 0;
    public const int EntryNextOffset = 6;
    public const int EntryCounterOffset = 8;

    /// <summary>Bytes one queue of <paramref name="queueSize"/> entries occupies, padded to the alignment.</summary>
    public static ulong QueueRegionSize(ushort queueSize)
    {
        ulong raw = HeaderSize + ((ulong)EntrySize * queueSize);
        return (raw + QueueAlignment - 1) & ~(ulong)(QueueAlignment - 1);
    }

    /// <summary>The whole buffer for <paramref name="queues"/> queues.</summary>
    public static ulong TotalSize(ushort queues, ushort queueSize) => queues * QueueRegionSize(queueSize);
}
