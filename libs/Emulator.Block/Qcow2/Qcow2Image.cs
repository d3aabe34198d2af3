using System.Buffers.Binary;
using System.IO.Compression;

namespace Emulator.Block;

/// <summary>
/// A qcow2 image (v2, v3): guest clusters map through the L1 table and cached L2 tables to host
/// clusters; unallocated clusters read from the backing image (or as zeroes), zero clusters as zeroes,
/// compressed ones are inflated. Writes allocate a cluster unless the mapped one is ours alone
/// (the COPIED flag), and commit L2 entries only after the refcounts they rely on are durable.
/// Every host offset read from metadata is checked (aligned, inside the file, not on other metadata)
/// before use; a bad one fails the request as corruption and nothing is repaired behind the user's back
/// (only leaks, when the opener asks: <see cref="BlockImageOptions.RepairLeaks"/>).
/// One lock per image serializes requests.
/// </summary>
internal sealed class Qcow2Image : IBlockImage
{
    private const int L2CacheTables = 64;

    private readonly Lock gate = new();
    private readonly Qcow2Storage storage;
    private readonly Qcow2L2Cache l2Cache;
    private readonly ulong[] l1;
    private readonly HashSet<ulong> l2Tables = [];
    private readonly bool discardUnmap;
    private readonly int bits;
    private readonly ulong clusterSize;
    private readonly ulong l2Entries;
    private ulong inflatedEntry;
    private byte[]? inflated;

    private Qcow2Image(HostFile file, Qcow2Header header, IBlockImage? backing, string? backingPath, bool discardUnmap)
    {
        Header = header;
        Backing = backing;
        BackingPath = backingPath;
        this.discardUnmap = discardUnmap;
        bits = header.ClusterBits;
        clusterSize = header.ClusterSize;
        l2Entries = clusterSize / 8;
        storage = new Qcow2Storage(file, bits);
        Refcounts = new Qcow2Refcounts(storage, header.RefcountOrder, header.RefcountTableOffset, header.RefcountTableClusters,
            host => OverlapsFixedMetadata(host) || l2Tables.Contains(host));
        l2Cache = new Qcow2L2Cache(storage, L2CacheTables);
        var raw = new byte[header.L1Size * 8UL];
        storage.Read(header.L1TableOffset, raw);
        l1 = new ulong[header.L1Size];
        for (int i = 0; i < l1.Length; i++)
        {
            l1[i] = BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(i * 8));
        }

        l2Tables.UnionWith(l1.Where(e => (e & Qcow2Entry.OffsetMask) != 0).Select(e => e & Qcow2Entry.OffsetMask));
    }

    public ulong Size => Header.Size;

    public bool ReadOnly => !storage.File.Writable;

    internal Qcow2Header Header { get; }

    internal IBlockImage? Backing { get; }

    internal string? BackingPath { get; }

    internal Qcow2Refcounts Refcounts { get; }

    internal Qcow2Storage Storage => storage;

    internal ReadOnlySpan<ulong> L1 => l1;

    private string FilePath => storage.File.Path;

    public static Qcow2Image Open(HostFile file, BlockImageOptions options, Func<BlockImageOptions, IBlockImage> openBacking)
    {
        long length = file.Length;
        var head = new byte[Math.Min(length, 1L << Qcow2Header.MaxClusterBits)];
        file.ReadAt(0, head);
        Qcow2Header header;
        try
        {
            header = Qcow2Header.Parse(head);
        }
        catch (BlockImageException e)
        {
            throw new BlockImageException($"Could not open '{file.Path}': {e.Message}", e);
        }

        if (file.Writable && (header.IncompatibleFeatures & Qcow2Header.IncompatibleCorrupt) != 0)
        {
            throw new BlockImageException($"qcow2 image '{file.Path}' is marked corrupt: it can only be opened read-only (repair it with 'qemu-img check -r all')");
        }

        if (file.Writable && (header.IncompatibleFeatures & Qcow2Header.IncompatibleDirty) != 0)
        {
            // Only lazy refcounts leave the flag set, and we never use them: the refcounts cannot be trusted.
            throw new BlockImageException($"qcow2 image '{file.Path}' has its dirty flag set (lazy refcounts): repair it with 'qemu-img check -r all' before writing to it");
        }

        if (file.Writable && header.Version == 3 && header.AutoclearFeatures != 0)
        {
            // Autoclear features describe data we do not maintain (bitmaps): clearing them tells readers so.
            Span<byte> zero = stackalloc byte[8];
            file.WriteAt(88, zero);
            file.Sync();
        }

        IBlockImage? backing = null;
        string? backingPath = null;
        if (header.BackingFile is { } name)
        {
            backingPath = ResolveBacking(file.Path, name);
            backing = openBacking(new BlockImageOptions
            {
                Path = backingPath,
                Format = header.BackingFormat,
                ReadOnly = true,
                DirectIo = options.DirectIo,
                ForceShare = options.ForceShare,
            });
        }

        try
        {
            var image = new Qcow2Image(file, header, backing, backingPath, options.DiscardUnmap);
            if (options.RepairLeaks && file.Writable)
            {
                image.RepairLeaks(options.Warn);
            }

            return image;
        }
        catch
        {
            backing?.Dispose();
            throw;
        }
    }

    private void RepairLeaks(Action<string>? warn)
    {
        ImageCheckResult result;
        try
        {
            result = Qcow2Checker.Check(this, Qcow2Repair.Leaks, _ => { });
        }
        catch (BlockImageException e)
        {
            // The image opened: serving it as it is beats refusing it because its check could not finish.
            warn?.Invoke($"'{FilePath}': leaks were not repaired: {e.Message}");
            return;
        }

        if (result.LeaksFixed > 0)
        {
            warn?.Invoke($"'{FilePath}': repaired {result.LeaksFixed} leaked clusters");
        }

        if (result.ExitCode != 0)
        {
            warn?.Invoke($"'{FilePath}' has {result.Corruptions} errors and {result.Leaks} leaks that were not repaired (see 'qemu-img check')");
        }
    }

    /// <summary>A relative backing name is relative to the overlay's directory, as in QEMU.</summary>
    internal static string ResolveBacking(string overlayPath, string name)
    {
        if (name.StartsWith("json:", StringComparison.Ordinal) || name.Contains("://", StringComparison.Ordinal))
        {
            throw new BlockImageException($"backing file '{name}' of '{overlayPath}' uses a protocol we do not support");
        }

        if (Path.IsPathRooted(name))
        {
            return name;
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(overlayPath)) ?? "/";
        return Path.Combine(directory, name);
    }

    public void Read(ulong offset, Span<byte> destination)
    {
        ImageRange.Check(offset, (ulong)destination.Length, Size);
        lock (gate)
        {
            while (!destination.IsEmpty)
            {
                int n = PieceLength(offset, (ulong)destination.Length);
                ReadWithEntry(Lookup(offset >> bits), offset, destination[..n]);
                offset += (ulong)n;
                destination = destination[n..];
            }
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> source)
    {
        CheckWritable();
        ImageRange.Check(offset, (ulong)source.Length, Size);
        lock (gate)
        {
            WriteLocked(offset, source);
        }
    }

    public void Flush()
    {
        lock (gate)
        {
            storage.Sync();
        }
    }

    public void Discard(ulong offset, ulong length)
    {
        CheckWritable();
        ImageRange.Check(offset, length, Size);
        if (!discardUnmap)
        {
            return;
        }

        lock (gate)
        {
            var pending = new List<Qcow2Remap>();
            for (ulong gc = (offset + clusterSize - 1) >> bits; (gc + 1) << bits <= offset + length; gc++)
            {
                ulong entry = Lookup(gc);
                if (entry != 0)
                {
                    pending.Add(new Qcow2Remap(gc, 0, entry));
                }
            }

            Commit(pending);
        }
    }

    public void WriteZeroes(ulong offset, ulong length, bool mayUnmap)
    {
        CheckWritable();
        ImageRange.Check(offset, length, Size);
        lock (gate)
        {
            var pending = new List<Qcow2Remap>();
            byte[]? zeroes = null;
            while (length > 0)
            {
                int n = PieceLength(offset, length);
                if ((ulong)n != clusterSize || !TryZeroCluster(offset >> bits, mayUnmap, pending))
                {
                    zeroes ??= new byte[clusterSize];
                    WriteLocked(offset, zeroes.AsSpan(0, n));
                }

                offset += (ulong)n;
                length -= (ulong)n;
            }

            Commit(pending);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            storage.File.Dispose();
            Backing?.Dispose();
        }
    }

    /// <summary>The L2 entry of guest cluster <paramref name="guestCluster"/> (0 when it has no L2 table).</summary>
    internal ulong Lookup(ulong guestCluster)
    {
        ulong l1Index = guestCluster / l2Entries;
        if (l1Index >= (ulong)l1.Length)
        {
            return 0;
        }

        ulong l1Entry = l1[l1Index];
        ulong table = l1Entry & Qcow2Entry.OffsetMask;
        if (table == 0)
        {
            return 0;
        }

        CheckL2Table(l1Entry);
        return l2Cache.Get(table)[guestCluster % l2Entries];
    }

    internal ulong[] ReadL2Table(ulong offset) => l2Cache.Get(offset);

    /// <summary>For check -r: an L1 entry (its COPIED flag) rewritten in place.</summary>
    internal void RewriteL1Entry(int index, ulong entry)
    {
        l1[index] = entry;
        storage.WriteEntry(Header.L1TableOffset + ((ulong)index * 8), entry);
    }

    /// <summary>For check -r: an L2 entry (its COPIED flag) rewritten in place.</summary>
    internal void RewriteL2Entry(ulong table, int index, ulong entry) => l2Cache.Set(table, index, entry);

    internal BlockImageException Corrupt(string why) => new($"qcow2 image '{FilePath}' is corrupt: {why}");

    private int PieceLength(ulong offset, ulong remaining) =>
        (int)Math.Min(remaining, clusterSize - (offset & (clusterSize - 1)));

    private void ReadWithEntry(ulong entry, ulong offset, Span<byte> destination)
    {
        int inCluster = (int)(offset & (clusterSize - 1));
        if ((entry & Qcow2Entry.Compressed) != 0)
        {
            Inflate(entry).AsSpan(inCluster, destination.Length).CopyTo(destination);
        }
        else if (IsZero(entry))
        {
            destination.Clear();
        }
        else if ((entry & Qcow2Entry.OffsetMask) == 0)
        {
            ReadBacking(offset, destination);
        }
        else
        {
            ulong host = CheckDataCluster(entry);
            storage.Read(host + (ulong)inCluster, destination);
        }
    }

    private void ReadBacking(ulong offset, Span<byte> destination)
    {
        if (Backing is { } backing && offset < backing.Size)
        {
            int n = (int)Math.Min((ulong)destination.Length, backing.Size - offset);
            backing.Read(offset, destination[..n]);
            destination[n..].Clear();
        }
        else
        {
            destination.Clear();
        }
    }

    private void WriteLocked(ulong offset, ReadOnlySpan<byte> source)
    {
        var pending = new List<Qcow2Remap>();
        while (!source.IsEmpty)
        {
            int n = PieceLength(offset, (ulong)source.Length);
            ulong guestCluster = offset >> bits;
            ulong entry = Lookup(guestCluster);
            int inCluster = (int)(offset & (clusterSize - 1));
            if (IsWritableInPlace(entry))
            {
                storage.WriteData(CheckDataCluster(entry) + (ulong)inCluster, source[..n]);
            }
            else
            {
                // Copy on write: the new cluster holds the old contents around the written bytes.
                var cluster = new byte[clusterSize];
                if ((ulong)n != clusterSize)
                {
                    ReadWithEntry(entry, offset - (ulong)inCluster, cluster);
                }

                source[..n].CopyTo(cluster.AsSpan(inCluster));
                ulong host = Refcounts.Allocate();
                storage.WriteData(host, cluster);
                pending.Add(new Qcow2Remap(guestCluster, host | Qcow2Entry.Copied, entry));
            }

            offset += (ulong)n;
            source = source[n..];
        }

        Commit(pending);
    }

    private bool TryZeroCluster(ulong guestCluster, bool mayUnmap, List<Qcow2Remap> pending)
    {
        ulong entry = Lookup(guestCluster);
        if (entry == 0 && Backing is null)
        {
            return true;
        }

        if (Header.Version >= 3)
        {
            if (entry == Qcow2Entry.Zero)
            {
                return true;
            }

            bool keep = !mayUnmap && IsWritableInPlace(entry);
            pending.Add(keep
                ? new Qcow2Remap(guestCluster, entry | Qcow2Entry.Zero, 0)
                : new Qcow2Remap(guestCluster, Qcow2Entry.Zero, entry));
            return true;
        }

        // Version 2 has no zero flag: only "unallocated without a backing file" reads as zeroes.
        if (Backing is null && mayUnmap)
        {
            pending.Add(new Qcow2Remap(guestCluster, 0, entry));
            return true;
        }

        return false;
    }

    /// <summary>Points guest clusters at their new entries, then drops the references the old entries held.</summary>
    private void Commit(List<Qcow2Remap> pending)
    {
        if (pending.Count == 0)
        {
            return;
        }

        inflated = null;
        storage.Barrier();
        foreach (Qcow2Remap r in pending)
        {
            SetL2Entry(r.GuestCluster, r.NewEntry);
        }

        if (pending.Exists(r => OwnsHostCluster(r.OldEntry)))
        {
            storage.Barrier();
            foreach (Qcow2Remap r in pending)
            {
                Release(r.OldEntry);
            }
        }
    }

    private void SetL2Entry(ulong guestCluster, ulong entry)
    {
        ulong table = EnsureL2Table(guestCluster / l2Entries);
        l2Cache.Set(table, (int)(guestCluster % l2Entries), entry);
    }

    /// <summary>The L2 table for an L1 slot, created (or copied, when shared with a snapshot) if needed.</summary>
    private ulong EnsureL2Table(ulong l1Index)
    {
        ulong l1Entry = l1[l1Index];
        ulong old = l1Entry & Qcow2Entry.OffsetMask;
        if (old != 0)
        {
            CheckL2Table(l1Entry);
            if ((l1Entry & Qcow2Entry.Copied) != 0)
            {
                return old;
            }
        }

        ulong[] contents = old == 0 ? new ulong[l2Entries] : (ulong[])l2Cache.Get(old).Clone();
        ulong table = Refcounts.Allocate();
        var raw = new byte[clusterSize];
        for (int i = 0; i < contents.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(raw.AsSpan(i * 8), contents[i]);
        }

        storage.WriteMetadata(table, raw);
        l2Cache.Add(table, contents);
        storage.Barrier();
        l1[l1Index] = table | Qcow2Entry.Copied;
        storage.WriteEntry(Header.L1TableOffset + (l1Index * 8), l1[l1Index]);
        l2Tables.Add(table);
        if (old != 0)
        {
            storage.Barrier();
            l2Tables.Remove(old);
            Refcounts.Decrement(old >> bits);
        }

        return table;
    }

    private void Release(ulong entry)
    {
        if ((entry & Qcow2Entry.Compressed) != 0)
        {
            (ulong offset, ulong length) = Qcow2Entry.CompressedRange(entry, bits);
            for (ulong c = offset >> bits; c <= (offset + length - 1) >> bits; c++)
            {
                Refcounts.Decrement(c);
            }

            return;
        }

        ulong host = entry & Qcow2Entry.OffsetMask;
        if (host == 0)
        {
            return;
        }

        Refcounts.Decrement(host >> bits);
        if (discardUnmap && Refcounts.Get(host >> bits) == 0)
        {
            _ = storage.File.TryPunchHole((long)host, (long)clusterSize);
        }
    }

    private bool IsZero(ulong entry) => Header.Version >= 3 && (entry & Qcow2Entry.Zero) != 0;

    private bool IsWritableInPlace(ulong entry) =>
        (entry & (Qcow2Entry.Compressed | Qcow2Entry.Copied)) == Qcow2Entry.Copied
        && (entry & Qcow2Entry.OffsetMask) != 0 && !IsZero(entry);

    private static bool OwnsHostCluster(ulong entry) =>
        (entry & Qcow2Entry.Compressed) != 0 || (entry & Qcow2Entry.OffsetMask) != 0;

    private void CheckL2Table(ulong l1Entry)
    {
        ulong offset = l1Entry & Qcow2Entry.OffsetMask;
        if ((offset & (clusterSize - 1)) != 0 || offset >= storage.HostEnd || OverlapsFixedMetadata(offset) || Refcounts.IsBlock(offset))
        {
            throw Corrupt($"L1 entry 0x{l1Entry:x16} points at an unaligned offset, outside the file or into other metadata");
        }
    }

    private ulong CheckDataCluster(ulong entry)
    {
        ulong host = entry & Qcow2Entry.OffsetMask;
        if ((host & (clusterSize - 1)) != 0 || host >= storage.HostEnd || OverlapsFixedMetadata(host)
            || Refcounts.IsBlock(host) || l2Tables.Contains(host))
        {
            throw Corrupt($"L2 entry 0x{entry:x16} points at an unaligned offset, outside the file or into metadata");
        }

        return host;
    }

    private bool OverlapsFixedMetadata(ulong host)
    {
        ulong l1Bytes = (ulong)l1.Length * 8;
        return host < clusterSize
            || (host + clusterSize > Header.L1TableOffset && host < Header.L1TableOffset + l1Bytes)
            || (host + clusterSize > Refcounts.TableOffset && host < Refcounts.TableOffset + (Refcounts.TableClusters * clusterSize));
    }

    private byte[] Inflate(ulong entry)
    {
        if (inflated is not null && inflatedEntry == entry)
        {
            return inflated;
        }

        (ulong offset, ulong length) = Qcow2Entry.CompressedRange(entry, bits);
        if (offset < clusterSize || offset >= storage.HostEnd || OverlapsFixedMetadata(offset & ~(clusterSize - 1)))
        {
            throw Corrupt($"compressed L2 entry 0x{entry:x16} points outside the file or into metadata");
        }

        var compressed = new byte[Math.Min(length, storage.HostEnd - offset)];
        storage.Read(offset, compressed);
        var cluster = new byte[clusterSize];
        int got;
        try
        {
            using var stream = new DeflateStream(new MemoryStream(compressed), CompressionMode.Decompress);
            got = stream.ReadAtLeast(cluster, cluster.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new BlockImageException($"qcow2 image '{FilePath}' is corrupt: compressed cluster at 0x{offset:x} does not inflate", e);
        }

        if (got != cluster.Length)
        {
            throw Corrupt($"compressed cluster at 0x{offset:x} inflates to {got} bytes, not a whole cluster");
        }

        inflatedEntry = entry;
        inflated = cluster;
        return cluster;
    }

    private void CheckWritable()
    {
        if (ReadOnly)
        {
            throw new BlockImageException($"'{FilePath}' is open read-only");
        }
    }
}
