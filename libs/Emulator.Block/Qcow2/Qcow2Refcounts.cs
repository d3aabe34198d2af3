using System.Buffers.Binary;

namespace Emulator.Block;

/// <summary>
/// The refcount table and refcount blocks: reading and changing a cluster's refcount, allocating free
/// clusters (first fit, like QEMU), adding refcount blocks and growing the table when the file outgrows it.
/// Refcount blocks are cached; every change is written through at once.
/// </summary>
internal sealed class Qcow2Refcounts
{
    private const int BlockCacheLimit = 64;

    /// <summary>
    /// Refcounted clusters past the end of the file are leaks (a crash between refcount and data write);
    /// more than this many in a row means the refcounts are garbage, not a crash's leftovers.
    /// </summary>
    private const ulong MaxLeakedPastEnd = 1 << 16;

    private readonly Qcow2Storage storage;
    private readonly Func<ulong, bool> isOtherMetadata;
    private readonly int order;
    private readonly ulong entriesPerBlock;
    private readonly Dictionary<ulong, byte[]> blocks = [];
    private ulong[] table;
    private HashSet<ulong>? blockSet;
    private ulong freeHint;

    /// <param name="isOtherMetadata">Whether a host offset holds metadata this class does not own (header, L1, L2 tables).</param>
    public Qcow2Refcounts(Qcow2Storage storage, int order, ulong tableOffset, uint tableClusters, Func<ulong, bool> isOtherMetadata)
    {
        this.storage = storage;
        this.isOtherMetadata = isOtherMetadata;
        this.order = order;
        entriesPerBlock = (storage.ClusterSize * 8) >> order;
        TableOffset = tableOffset;
        TableClusters = tableClusters;
        var raw = new byte[tableClusters * storage.ClusterSize];
        storage.Read(tableOffset, raw);
        table = new ulong[raw.Length / 8];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(i * 8));
        }
    }

    public ulong TableOffset { get; private set; }

    public uint TableClusters { get; private set; }

    public ulong MaxRefcount => order == 6 ? ulong.MaxValue : (1UL << (1 << order)) - 1;

    /// <summary>Clusters the table can describe (for check).</summary>
    public ulong CoveredClusters => (ulong)table.Length * entriesPerBlock;

    /// <summary>The refcount table's entries as stored (for check).</summary>
    public IReadOnlyList<ulong> TableEntries => table;

    /// <summary>Refcount block offsets in use, for metadata overlap checks and check.</summary>
    public IEnumerable<ulong> BlockOffsets => table.Where(e => e != 0).Select(e => e & Qcow2Entry.OffsetMask);

    public bool IsBlock(ulong hostOffset) =>
        (blockSet ??= BlockOffsets.ToHashSet()).Contains(hostOffset & ~(storage.ClusterSize - 1));

    private bool InTable(ulong offset) =>
        offset >= TableOffset && offset < TableOffset + (TableClusters * storage.ClusterSize);

    /// <summary>Whether the cluster's refcount block exists (so its refcount can be set without allocating).</summary>
    public bool HasBlock(ulong cluster)
    {
        ulong index = cluster / entriesPerBlock;
        return index < (ulong)table.Length && table[index] != 0;
    }

    public ulong Get(ulong cluster)
    {
        ulong index = cluster / entriesPerBlock;
        if (index >= (ulong)table.Length || table[index] == 0)
        {
            return 0;
        }

        byte[] block = LoadBlock(table[index]);
        return ReadEntry(block, cluster % entriesPerBlock);
    }

    /// <summary>Clusters from <paramref name="firstCluster"/> on whose refcount is not 0, with it (only existing blocks are read).</summary>
    public IEnumerable<(ulong Cluster, ulong Refcount)> InUseFrom(ulong firstCluster)
    {
        for (ulong index = firstCluster / entriesPerBlock; index < (ulong)table.Length; index++)
        {
            if (table[index] == 0)
            {
                continue;
            }

            byte[] block = LoadBlock(table[index]);
            for (ulong slot = 0; slot < entriesPerBlock; slot++)
            {
                ulong cluster = (index * entriesPerBlock) + slot;
                if (cluster >= firstCluster && ReadEntry(block, slot) is var refcount and not 0)
                {
                    yield return (cluster, refcount);
                }
            }
        }
    }

    /// <summary>Sets a refcount; the cluster's refcount block must exist unless the value is 0.</summary>
    public void Set(ulong cluster, ulong value)
    {
        if (value > MaxRefcount)
        {
            throw new BlockImageException($"qcow2: refcount of cluster {cluster} would overflow its {1 << order} bits");
        }

        ulong index = cluster / entriesPerBlock;
        if (index >= (ulong)table.Length || table[index] == 0)
        {
            if (value == 0)
            {
                return;
            }

            EnsureBlock(index);
        }

        ulong blockOffset = table[index] & Qcow2Entry.OffsetMask;
        byte[] block = LoadBlock(table[index]);
        ulong slot = cluster % entriesPerBlock;
        int at = WriteEntry(block, slot, value, out int length);
        storage.WriteMetadata(blockOffset + (ulong)at, block.AsSpan(at, length));
        if (value == 0 && cluster < freeHint)
        {
            freeHint = cluster;
        }
    }

    public void Increment(ulong cluster) => Set(cluster, Get(cluster) + 1);

    public void Decrement(ulong cluster)
    {
        ulong current = Get(cluster);
        if (current == 0)
        {
            throw new BlockImageException($"qcow2 image '{storage.File.Path}' is corrupt: freeing cluster {cluster} whose refcount is already 0");
        }

        Set(cluster, current - 1);
    }

    /// <summary>Finds a free cluster, gives it refcount 1 and returns its host offset.</summary>
    public ulong Allocate()
    {
        while (true)
        {
            ulong cluster = freeHint;
            ulong endCluster = (storage.HostEnd + storage.ClusterSize - 1) >> storage.ClusterBits;
            while (Get(cluster) != 0)
            {
                cluster++;
                if (cluster > endCluster + MaxLeakedPastEnd)
                {
                    throw new BlockImageException(
                        $"qcow2 image '{storage.File.Path}' is corrupt: refcounts claim clusters far past the end of the file");
                }
            }

            freeHint = cluster;
            ulong index = cluster / entriesPerBlock;
            if (index >= (ulong)table.Length || table[index] == 0)
            {
                // The new block may land on this very cluster: look again.
                EnsureBlock(index);
                continue;
            }

            ulong offset = cluster << storage.ClusterBits;
            if (isOtherMetadata(offset) || IsBlock(offset) || InTable(offset))
            {
                // A free-looking cluster that holds metadata: handing it out would overwrite the metadata.
                throw new BlockImageException(
                    $"qcow2 image '{storage.File.Path}' is corrupt: cluster {cluster} holds metadata but its refcount is 0");
            }

            Set(cluster, 1);
            freeHint = cluster + 1;
            storage.Reserve((cluster + 1) << storage.ClusterBits);
            return cluster << storage.ClusterBits;
        }
    }

    private void EnsureBlock(ulong index)
    {
        if (index >= (ulong)table.Length)
        {
            GrowTable(index);
            if (table[index] != 0)
            {
                return;
            }
        }

        // Clusters are allocated first fit and blocks are never freed, so a region without a block lies
        // wholly past the end of the file: its first cluster is free and can hold the block, which then
        // counts itself. A blockless region inside the file means the refcount table is damaged.
        ulong blockCluster = index * entriesPerBlock;
        ulong endCluster = (storage.HostEnd + storage.ClusterSize - 1) >> storage.ClusterBits;
        if (blockCluster < endCluster)
        {
            throw new BlockImageException(
                $"qcow2 image '{storage.File.Path}' is corrupt: the refcount table has no block for clusters {blockCluster}.. inside the file");
        }

        var block = new byte[storage.ClusterSize];
        WriteEntry(block, 0, 1, out _);
        ulong blockOffset = blockCluster << storage.ClusterBits;
        storage.WriteMetadata(blockOffset, block);
        storage.Barrier();
        table[index] = blockOffset;
        blockSet = null;
        storage.WriteEntry(TableOffset + (index * 8), blockOffset);
        CacheBlock(blockOffset, block);
    }

    /// <summary>
    /// Moves the refcount table to the end of the file with room for <paramref name="neededIndex"/>, with
    /// new refcount blocks (placed after it) for its own clusters, then switches the header over and frees
    /// the old table. Until the header write lands the old table stays valid.
    /// </summary>
    private void GrowTable(ulong neededIndex)
    {
        ulong cs = storage.ClusterSize;
        ulong start = (storage.HostEnd + cs - 1) >> storage.ClusterBits;
        ulong entries = Math.Max(neededIndex + 1, (ulong)table.Length * 2);
        ulong tableClusters, blockCount;
        List<ulong> newRegions;
        while (true)
        {
            tableClusters = ((entries * 8) + cs - 1) / cs;
            blockCount = 0;
            while (true)
            {
                newRegions = RegionsWithoutBlock(start, start + tableClusters + blockCount);
                if ((ulong)newRegions.Count == blockCount)
                {
                    break;
                }

                blockCount = (ulong)newRegions.Count;
            }

            ulong maxRegion = newRegions.Count == 0 ? 0 : newRegions.Max();
            if (maxRegion < entries)
            {
                break;
            }

            entries = maxRegion + 1;
        }

        if (tableClusters * cs > Qcow2Header.MaxRefcountTableBytes)
        {
            throw new BlockImageException($"qcow2 image '{storage.File.Path}' cannot grow: the refcount table would exceed its maximum size");
        }

        var newTable = new ulong[tableClusters * cs / 8];
        table.CopyTo(newTable, 0);
        ulong end = start + tableClusters + blockCount;
        for (int i = 0; i < newRegions.Count; i++)
        {
            ulong region = newRegions[i];
            ulong blockCluster = start + tableClusters + (ulong)i;
            var block = new byte[cs];
            for (ulong c = Math.Max(start, region * entriesPerBlock); c < Math.Min(end, (region + 1) * entriesPerBlock); c++)
            {
                WriteEntry(block, c - (region * entriesPerBlock), 1, out _);
            }

            storage.WriteMetadata(blockCluster << storage.ClusterBits, block);
            newTable[region] = blockCluster << storage.ClusterBits;
            CacheBlock(newTable[region], block);
        }

        ulong[] oldTable = table;
        table = newTable;
        blockSet = null;

        // New clusters in regions that already had a block get their refcount there.
        for (ulong c = start; c < end; c++)
        {
            ulong region = c / entriesPerBlock;
            if (region < (ulong)oldTable.Length && oldTable[region] != 0)
            {
                Set(c, 1);
            }
        }

        var raw = new byte[tableClusters * cs];
        for (int i = 0; i < newTable.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(raw.AsSpan(i * 8), newTable[i]);
        }

        ulong newOffset = start << storage.ClusterBits;
        storage.WriteMetadata(newOffset, raw);
        storage.Barrier();
        var pointer = new byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(pointer, newOffset);
        BinaryPrimitives.WriteUInt32BigEndian(pointer.AsSpan(8), (uint)tableClusters);
        storage.WriteMetadata(48, pointer);
        storage.Barrier();
        ulong oldOffset = TableOffset;
        uint oldClusters = TableClusters;
        TableOffset = newOffset;
        TableClusters = (uint)tableClusters;
        for (ulong c = 0; c < oldClusters; c++)
        {
            Decrement((oldOffset >> storage.ClusterBits) + c);
        }
    }

    private List<ulong> RegionsWithoutBlock(ulong firstCluster, ulong endCluster)
    {
        var regions = new List<ulong>();
        for (ulong r = firstCluster / entriesPerBlock; r <= (endCluster - 1) / entriesPerBlock; r++)
        {
            if (r >= (ulong)table.Length || table[r] == 0)
            {
                regions.Add(r);
            }
        }

        return regions;
    }

    private byte[] LoadBlock(ulong tableEntry)
    {
        ulong offset = tableEntry & Qcow2Entry.OffsetMask;
        if (blocks.TryGetValue(offset, out byte[]? cached))
        {
            return cached;
        }

        if ((tableEntry & ~Qcow2Entry.OffsetMask) != 0 || (tableEntry & (storage.ClusterSize - 1)) != 0 || offset == 0 || offset >= storage.HostEnd)
        {
            throw new BlockImageException(
                $"qcow2 image '{storage.File.Path}' is corrupt: refcount block offset 0x{tableEntry:x} is unaligned or outside the file");
        }

        var block = new byte[storage.ClusterSize];
        storage.Read(offset, block);
        CacheBlock(offset, block);
        return block;
    }

    private void CacheBlock(ulong offset, byte[] block)
    {
        if (blocks.Count >= BlockCacheLimit)
        {
            blocks.Clear();
        }

        blocks[offset] = block;
    }

    private ulong ReadEntry(byte[] block, ulong slot)
    {
        int bits = 1 << order;
        if (bits < 8)
        {
            int perByte = 8 / bits;
            return (ulong)(block[(int)(slot / (ulong)perByte)] >> (int)(slot % (ulong)perByte * (ulong)bits)) & ((1UL << bits) - 1);
        }

        int bytes = bits / 8;
        ulong value = 0;
        for (int i = 0; i < bytes; i++)
        {
            value = (value << 8) | block[((int)slot * bytes) + i];
        }

        return value;
    }

    /// <summary>Stores the entry and returns the byte range of the block that changed.</summary>
    private int WriteEntry(byte[] block, ulong slot, ulong value, out int length)
    {
        int bits = 1 << order;
        if (bits < 8)
        {
            int perByte = 8 / bits;
            int at = (int)(slot / (ulong)perByte);
            int shift = (int)(slot % (ulong)perByte) * bits;
            int mask = ((1 << bits) - 1) << shift;
            block[at] = (byte)((block[at] & ~mask) | ((int)value << shift));
            length = 1;
            return at;
        }

        int bytes = bits / 8;
        int start = (int)slot * bytes;
        for (int i = bytes - 1; i >= 0; i--)
        {
            block[start + i] = (byte)value;
            value >>= 8;
        }

        length = bytes;
        return start;
    }
}
