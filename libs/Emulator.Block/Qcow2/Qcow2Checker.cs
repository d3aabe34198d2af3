using System.Buffers.Binary;

namespace Emulator.Block;

/// <summary>
/// qemu-img check for qcow2: counts every reference the metadata makes (header, L1, refcount table and
/// blocks, L2 tables, data and compressed clusters, snapshot tables) and compares with the stored
/// refcounts. Stored below counted is corruption (the cluster could be handed out twice), above is a leak.
/// Leaks can be repaired (qemu-img check -r leaks): each leaked cluster's refcount is lowered to what the
/// metadata counts. Only an image with no corruption is repaired: the count of a damaged image cannot be
/// trusted, and lowering a refcount on it could free a cluster still in use.
/// </summary>
internal static class Qcow2Checker
{
    private const int MaxMessages = 1000;

    /// <summary>Checks without changing anything.</summary>
    public static ImageCheckResult Check(Qcow2Image image) => Check(image, repairLeaks: false, _ => { });

    /// <summary>
    /// Checks; with <paramref name="repairLeaks"/> (the image open writable) and no corruption found, lowers
    /// every leaked refcount, also clearing refcounts past the end of the file (a cluster allocated but
    /// never written, which qemu-img check does not see until the file grows over it), then checks again.
    /// <paramref name="repairing"/> hears each cluster repaired ("Repairing cluster ..."). The result is
    /// the final check's, with <see cref="ImageCheckResult.LeaksFixed"/> set.
    /// </summary>
    public static ImageCheckResult Check(Qcow2Image image, bool repairLeaks, Action<string> repairing)
    {
        var walk = new Walk(image);
        walk.Run();
        ImageCheckResult first = walk.Result();
        if (!repairLeaks || first.Corruptions > 0 || !first.Completed)
        {
            return first;
        }

        List<(ulong Cluster, ulong Stored, ulong Reference)> leaks = walk.LeakedClusters();
        if (leaks.Count == 0)
        {
            return first;
        }

        foreach ((ulong cluster, ulong stored, ulong reference) in leaks)
        {
            repairing($"Repairing cluster {cluster} refcount={stored} reference={reference}");
            image.Refcounts.Set(cluster, reference);
        }

        image.Storage.Sync();
        var again = new Walk(image);
        again.Run();
        return again.Result() with { LeaksFixed = leaks.Count };
    }

    private sealed class Walk(Qcow2Image image)
    {
        private readonly Dictionary<ulong, ulong> counted = [];
        private readonly List<string> messages = [];
        private readonly List<(ulong Cluster, ulong Entry)> copiedFlags = [];
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

                CountCluster(entry, "refcount block");
            }

            CountL1(image.L1.ToArray(), active: true);
            CountSnapshots();
            Compare();
        }

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
            foreach (ulong l1Entry in l1)
            {
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
                    copiedFlags.Add((table >> bits, l1Entry));
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

                foreach (ulong entry in entries)
                {
                    CountL2Entry(entry, active);
                }
            }
        }

        private void CountL2Entry(ulong entry, bool active)
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
                    copiedFlags.Add((host >> bits, entry));
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
                    Error($"ERROR cluster {c} refcount={stored} reference={reference}");
                }
                else if (stored > reference)
                {
                    leaks++;
                    leaked.Add((c, stored, reference));
                    Note($"Leaked cluster {c} refcount={stored} reference={reference}");
                }
            }

            // The COPIED flag promises refcount 1 (writes go in place): a mismatch misleads writers either way.
            foreach ((ulong cluster, ulong entry) in copiedFlags)
            {
                bool copied = (entry & Qcow2Entry.Copied) != 0;
                if (TryStored(cluster) is { } stored && copied != (stored == 1))
                {
                    Error($"ERROR OFLAG_COPIED: entry=0x{entry:x16} refcount={stored}");
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
