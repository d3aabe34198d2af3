using System.Buffers.Binary;

namespace Emulator.Block;

/// <summary>
/// qemu-img check for qcow2: counts every reference the metadata makes (header, L1, refcount table and
/// blocks, L2 tables, data and compressed clusters, snapshot tables) and compares with the stored
/// refcounts. Stored below counted is corruption (the cluster could be handed out twice), above is a leak.
/// A cluster counted as two different things (data and an L2 table, say) is corruption whatever its
/// refcount. Repairs (qemu-img check -r) are in <see cref="Check(Qcow2Image, Qcow2Repair, Action{string})"/>.
/// </summary>
internal static class Qcow2Checker
{
    private const int MaxMessages = 1000;

    /// <summary>Checks without changing anything.</summary>
    public static ImageCheckResult Check(Qcow2Image image) => Check(image, Qcow2Repair.None, _ => { });

    /// <summary>
    /// Checks, and with <paramref name="repair"/> (the image open writable) repairs, then checks again.
    /// Leaks: every leaked refcount is lowered to the count, and refcounts past the end of the file (a
    /// cluster allocated but never written, which qemu-img check does not see until the file grows over
    /// it) are cleared. All, as qemu-img check -r all, also: a refcount below the count is raised to it
    /// (two entries sharing a cluster then share it properly) and COPIED flags are set to match the
    /// refcounts. Any other error (an offset outside the file, unaligned, reserved bits, a refcount block
    /// missing) means the count itself cannot be trusted: then nothing at all is changed.
    /// <paramref name="repairing"/> hears each change ("Repairing cluster ..."). The result is the
    /// final check's, with what was fixed.
    /// </summary>
    public static ImageCheckResult Check(Qcow2Image image, Qcow2Repair repair, Action<string> repairing)
    {
        var walk = new Walk(image);
        walk.Run();
        ImageCheckResult first = walk.Result();
        bool all = repair == Qcow2Repair.All;
        if (repair == Qcow2Repair.None || !first.Completed || walk.Unrepairable > 0 || (first.Corruptions > 0 && !all))
        {
            return first;
        }

        List<(ulong Cluster, ulong Stored, ulong Reference)> leaks = walk.LeakedClusters();
        List<(ulong Cluster, ulong Stored, ulong Reference)> raise = all ? walk.TooLow : [];
        foreach ((ulong cluster, ulong stored, ulong reference) in leaks.Concat(raise))
        {
            repairing($"Repairing cluster {cluster} refcount={stored} reference={reference}");
            image.Refcounts.Set(cluster, reference);
        }

        int flagsFixed = 0;
        if (all)
        {
            // With the refcounts right, the flags are judged again against them.
            var flags = new Walk(image);
            flags.Run();
            if (flags.Unrepairable == 0)
            {
                foreach ((CopiedFlag flag, ulong stored) in flags.WrongFlags)
                {
                    ulong fixedEntry = stored == 1 ? flag.Entry | Qcow2Entry.Copied : flag.Entry & ~Qcow2Entry.Copied;
                    repairing(flag.Describe("Repairing", stored));
                    if (flag.Table == 0)
                    {
                        image.RewriteL1Entry(flag.Index, fixedEntry);
                    }
                    else
                    {
                        image.RewriteL2Entry(flag.Table, flag.Index, fixedEntry);
                    }

                    flagsFixed++;
                }
            }
        }

        if (leaks.Count == 0 && raise.Count == 0 && flagsFixed == 0)
        {
            return first;
        }

        image.Storage.Sync();
        var again = new Walk(image);
        again.Run();
        return again.Result() with { LeaksFixed = leaks.Count, CorruptionsFixed = raise.Count + flagsFixed };
    }

    /// <summary>An active L1 (<see cref="Table"/> 0) or L2 entry, where it is stored, and the cluster it points at.</summary>
    private readonly record struct CopiedFlag(ulong Cluster, ulong Entry, ulong Table, int Index)
    {
        public string Describe(string verb, ulong refcount) => Table == 0
            ? $"{verb} OFLAG_COPIED L2 cluster: l1_index={Index} l1_entry={Entry:x} refcount={refcount}"
            : $"{verb} OFLAG_COPIED data cluster: l2_entry={Entry:x} refcount={refcount}";
    }

    private sealed class Walk(Qcow2Image image)
    {
        private readonly Dictionary<ulong, ulong> counted = [];
        private readonly List<string> messages = [];
        private readonly List<CopiedFlag> copiedFlags = [];

        /// <summary>What each cluster was first counted as; clusters counted as two different things.</summary>
        private readonly Dictionary<ulong, string> kinds = [];
        private readonly Dictionary<ulong, string> mixed = [];
        private readonly List<(ulong Cluster, ulong Stored, ulong Reference)> tooLow = [];
        private readonly List<(CopiedFlag Flag, ulong Stored)> wrongFlags = [];
        private readonly int bits = image.Header.ClusterBits;
        private readonly ulong clusterSize = image.Header.ClusterSize;
        private readonly ulong fileClusters = (image.Storage.HostEnd + image.Header.ClusterSize - 1) >> image.Header.ClusterBits;
        private readonly List<(ulong Cluster, ulong Stored, ulong Reference)> leaked = [];
        private int corruptions;
        private int leaks;
        private ulong highestInUse;
        private bool completed = true;
        private ulong allocated;
        private ulong compressed;

        public void Run()
        {
            CountRange(0, clusterSize, "header");
            CountRange(image.Header.L1TableOffset, (ulong)image.L1.Length * 8, "L1 table");
            CountRange(image.Refcounts.TableOffset, image.Refcounts.TableClusters * clusterSize, "refcount table");
            IReadOnlyList<ulong> refcountTable = image.Refcounts.TableEntries;
            var blocks = new List<(int Index, ulong Cluster)>();
            for (int i = 0; i < refcountTable.Count; i++)
            {
                ulong entry = refcountTable[i];
                if (entry == 0)
                {
                    continue;
                }

                // Bits outside the offset (QEMU's REFT_OFFSET_MASK has no reserved high byte) put it out of reach.
                if ((entry & ~Qcow2Entry.OffsetMask) != 0 || (entry & Qcow2Entry.OffsetMask) >= image.Storage.HostEnd)
                {
                    Error($"ERROR refcount block {i} is outside image");
                    continue;
                }

                if (CountCluster(entry, "refcount block"))
                {
                    blocks.Add((i, entry >> bits));
                }
            }

            CountL1(image.L1.ToArray(), active: true);
            CountSnapshots();
            foreach ((ulong cluster, string second) in mixed)
            {
                Error($"ERROR cluster {cluster} is both {kinds[cluster]} and {second}");
            }

            // A refcount block that is also something else: its refcounts are that thing's bytes, and
            // writing a refcount would overwrite it. Nothing counted from it can be trusted or written.
            foreach ((int index, ulong cluster) in blocks)
            {
                if (counted.GetValueOrDefault(cluster) != 1)
                {
                    Error($"ERROR refcount block {index} refcount={counted.GetValueOrDefault(cluster)}");
                }
            }

            Compare();
        }

        /// <summary>Errors -r all cannot repair: any of them forbids every repair.</summary>
        public int Unrepairable { get; private set; }

        /// <summary>Refcounts below the count, in clusters whose refcount block exists.</summary>
        public List<(ulong Cluster, ulong Stored, ulong Reference)> TooLow => tooLow;

        /// <summary>Active entries whose COPIED flag disagrees with the refcount.</summary>
        public List<(CopiedFlag Flag, ulong Stored)> WrongFlags => wrongFlags;

        public ImageCheckResult Result() => new()
        {
            Corruptions = corruptions,
            Leaks = leaks,
            Completed = completed,
            Messages = messages,
            AllocatedClusters = allocated,
            CompressedClusters = compressed,
            TotalClusters = (image.Size + clusterSize - 1) >> bits,

            // As QEMU: one past the last cluster that is referenced or has a refcount, not the file's length.
            ImageEndOffset = (highestInUse + 1) << bits,
        };

        /// <summary>The leaks found, and every refcount past the end of the file (all of them unreferenced).</summary>
        public List<(ulong Cluster, ulong Stored, ulong Reference)> LeakedClusters()
        {
            var all = new List<(ulong Cluster, ulong Stored, ulong Reference)>(leaked);
            foreach ((ulong cluster, ulong stored) in image.Refcounts.InUseFrom(fileClusters))
            {
                all.Add((cluster, stored, 0));
            }

            return all;
        }

        private void CountL1(ulong[] l1, bool active)
        {
            for (int i = 0; i < l1.Length; i++)
            {
                ulong l1Entry = l1[i];
                ulong table = l1Entry & Qcow2Entry.OffsetMask;
                if (table == 0)
                {
                    continue;
                }

                if ((l1Entry & Qcow2Entry.L1Reserved) != 0)
                {
                    Error($"ERROR found L1 entry with reserved bits set: {l1Entry:x}");
                }

                if (!CountCluster(table, "L2 table"))
                {
                    continue;
                }

                if (active)
                {
                    copiedFlags.Add(new CopiedFlag(table >> bits, l1Entry, 0, i));
                }

                ulong[] entries;
                try
                {
                    entries = image.ReadL2Table(table);
                }
                catch (BlockImageException e)
                {
                    Error(e.Message);
                    continue;
                }

                for (int j = 0; j < entries.Length; j++)
                {
                    CountL2Entry(entries[j], active, table, j);
                }
            }
        }

        private void CountL2Entry(ulong entry, bool active, ulong table, int index)
        {
            if ((entry & Qcow2Entry.Compressed) != 0)
            {
                (ulong offset, ulong length) = Qcow2Entry.CompressedRange(entry & ~Qcow2Entry.Copied, bits);
                if ((entry & Qcow2Entry.Copied) != 0)
                {
                    Error($"ERROR: coffset=0x{offset:x}: copied flag must never be set for compressed clusters");
                }

                if (active)
                {
                    allocated++;
                    compressed++;
                }

                for (ulong c = offset >> bits; c <= (offset + length - 1) >> bits; c++)
                {
                    CountCluster(c << bits, "compressed cluster");
                }

                return;
            }

            if ((entry & Qcow2Entry.L2Reserved) != 0)
            {
                Error($"ERROR found l2 entry with reserved bits set: {entry:x}");
            }

            ulong host = entry & Qcow2Entry.OffsetMask;
            if (host != 0)
            {
                if (active && (image.Header.Version < 3 || (entry & Qcow2Entry.Zero) == 0))
                {
                    allocated++;
                }

                if (CountCluster(host, "data cluster") && active)
                {
                    copiedFlags.Add(new CopiedFlag(host >> bits, entry, table, index));
                }
            }
        }

        private void CountSnapshots()
        {
            Qcow2Header h = image.Header;
            if (h.SnapshotCount == 0)
            {
                return;
            }

            ulong at = h.SnapshotsOffset;
            var fixedPart = new byte[40];
            for (uint i = 0; i < h.SnapshotCount; i++)
            {
                if (at >= image.Storage.HostEnd)
                {
                    Error($"snapshot table entry {i} lies outside the file");
                    completed = false;
                    return;
                }

                image.Storage.Read(at, fixedPart);
                ulong l1Offset = BinaryPrimitives.ReadUInt64BigEndian(fixedPart);
                uint l1Size = BinaryPrimitives.ReadUInt32BigEndian(fixedPart.AsSpan(8));
                ulong idSize = BinaryPrimitives.ReadUInt16BigEndian(fixedPart.AsSpan(12));
                ulong nameSize = BinaryPrimitives.ReadUInt16BigEndian(fixedPart.AsSpan(14));
                ulong extraSize = BinaryPrimitives.ReadUInt32BigEndian(fixedPart.AsSpan(36));
                if (l1Size > Qcow2Header.MaxL1Bytes / 8 || (l1Offset & (clusterSize - 1)) != 0 || extraSize > 1024)
                {
                    Error($"snapshot {i} has an invalid L1 table");
                    completed = false;
                    return;
                }

                CountRange(l1Offset, (ulong)l1Size * 8, "snapshot L1 table");
                var raw = new byte[l1Size * 8UL];
                image.Storage.Read(l1Offset, raw);
                var l1 = new ulong[l1Size];
                for (int j = 0; j < l1.Length; j++)
                {
                    l1[j] = BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(j * 8));
                }

                CountL1(l1, active: false);
                at += (40 + extraSize + idSize + nameSize + 7) & ~7UL;
            }

            CountRange(h.SnapshotsOffset, at - h.SnapshotsOffset, "snapshot table");
        }

        private void CountRange(ulong offset, ulong length, string what)
        {
            if (length == 0)
            {
                return;
            }

            for (ulong c = offset >> bits; c <= (offset + length - 1) >> bits; c++)
            {
                CountCluster(c << bits, what);
            }
        }

        private bool CountCluster(ulong offset, string what)
        {
            if ((offset & (clusterSize - 1)) != 0)
            {
                Error($"ERROR {what} offset 0x{offset:x} is not cluster aligned");
                return false;
            }

            ulong cluster = offset >> bits;
            if (cluster >= fileClusters)
            {
                Error($"ERROR {what} offset 0x{offset:x} is beyond the end of the file");
                return false;
            }

            counted[cluster] = counted.GetValueOrDefault(cluster) + 1;
            if (!kinds.TryAdd(cluster, what) && kinds[cluster] != what)
            {
                mixed.TryAdd(cluster, what);
            }

            return true;
        }

        private void Compare()
        {
            var clusters = new SortedSet<ulong>(counted.Keys);
            for (ulong c = 0; c < fileClusters; c++)
            {
                clusters.Add(c);
            }

            foreach (ulong c in clusters)
            {
                ulong stored;
                try
                {
                    stored = image.Refcounts.Get(c);
                }
                catch (BlockImageException e)
                {
                    Error($"ERROR {e.Message}");
                    continue;
                }

                ulong reference = counted.GetValueOrDefault(c);
                if (stored > 0 || reference > 0)
                {
                    highestInUse = c;
                }

                if (stored < reference)
                {
                    string message = $"ERROR cluster {c} refcount={stored} reference={reference}";
                    // Two entries sharing a data cluster (or L2 table) can share it for real; a cluster that is two
                    // different things (data and metadata) cannot, whatever its refcount.
                    if (image.Refcounts.HasBlock(c) && reference <= image.Refcounts.MaxRefcount && !mixed.ContainsKey(c))
                    {
                        tooLow.Add((c, stored, reference));
                        RepairableError(message);
                    }
                    else
                    {
                        Error(message);
                    }
                }
                else if (stored > reference)
                {
                    leaks++;
                    leaked.Add((c, stored, reference));
                    Note($"Leaked cluster {c} refcount={stored} reference={reference}");
                }
            }

            // The COPIED flag promises refcount 1 (writes go in place): a mismatch misleads writers either way.
            foreach (CopiedFlag flag in copiedFlags)
            {
                bool copied = (flag.Entry & Qcow2Entry.Copied) != 0;
                if (TryStored(flag.Cluster) is { } stored && copied != (stored == 1))
                {
                    wrongFlags.Add((flag, stored));
                    RepairableError(flag.Describe("ERROR", stored));
                }
            }
        }

        private ulong? TryStored(ulong cluster)
        {
            try
            {
                return image.Refcounts.Get(cluster);
            }
            catch (BlockImageException)
            {
                // Already reported by the comparison above.
                return null;
            }
        }

        private void Error(string message)
        {
            Unrepairable++;
            RepairableError(message);
        }

        private void RepairableError(string message)
        {
            corruptions++;
            Note(message);
        }

        private void Note(string message)
        {
            if (messages.Count < MaxMessages)
            {
                messages.Add(message);
            }
        }
    }
}
