using System.Buffers.Binary;
using System.Text;

namespace Emulator.Block;

/// <summary>
/// A qcow2 header (docs/interop/qcow2.txt), versions 2 and 3, with the header extensions we use.
/// <see cref="Parse"/> is pure and total: any input either yields a header whose fields are safe to use
/// (aligned, non-overflowing, inside the limits QEMU enforces) or a <see cref="BlockImageException"/>.
/// </summary>
internal sealed record Qcow2Header
{
    public const int V2Length = 72;
    public const int V3Length = 104;
    public const int MinClusterBits = 9;
    public const int MaxClusterBits = 21;
    public const ulong IncompatibleDirty = 1;
    public const ulong IncompatibleCorrupt = 2;
    public const uint BackingFormatExtension = 0xE2792ACA;
    public const int MaxBackingFileName = 1023;

    /// <summary>QEMU's QCOW_MAX_L1_SIZE (32 MiB of entries) and QCOW_MAX_REFTABLE_SIZE (8 MiB).</summary>
    public const ulong MaxL1Bytes = 32UL << 20;
    public const ulong MaxRefcountTableBytes = 8UL << 20;

    private const ulong KnownIncompatible = IncompatibleDirty | IncompatibleCorrupt;

    private static readonly string[] IncompatibleNames = ["dirty", "corrupt", "external data file", "compression type", "extended L2 entries"];

    public required int Version { get; init; }

    public required int ClusterBits { get; init; }

    public required ulong Size { get; init; }

    public required uint L1Size { get; init; }

    public required ulong L1TableOffset { get; init; }

    public required ulong RefcountTableOffset { get; init; }

    public required uint RefcountTableClusters { get; init; }

    public uint SnapshotCount { get; init; }

    public ulong SnapshotsOffset { get; init; }

    public ulong IncompatibleFeatures { get; init; }

    public ulong CompatibleFeatures { get; init; }

    public ulong AutoclearFeatures { get; init; }

    public int RefcountOrder { get; init; } = 4;

    public int HeaderLength { get; init; } = V3Length;

    public string? BackingFile { get; init; }

    public string? BackingFormat { get; init; }

    public ulong ClusterSize => 1UL << ClusterBits;

    /// <summary>How many L1 entries a disk of <paramref name="size"/> bytes needs.</summary>
    public static ulong L1EntriesFor(ulong size, int clusterBits)
    {
        int coverBits = clusterBits + clusterBits - 3;
        return (size >> coverBits) + ((size & ((1UL << coverBits) - 1)) != 0 ? 1UL : 0);
    }

    /// <summary>Parses the start of an image file (normally its whole first cluster).</summary>
    public static Qcow2Header Parse(ReadOnlySpan<byte> head)
    {
        if (head.Length < V2Length)
        {
            throw Bad("the file is too short for a qcow2 header");
        }

        if (!head[..4].SequenceEqual(FormatProbe.Qcow2Magic))
        {
            throw Bad("bad magic (not a qcow2 image)");
        }

        uint version = BinaryPrimitives.ReadUInt32BigEndian(head[4..]);
        if (version is not (2 or 3))
        {
            throw Bad($"unsupported qcow2 version {version}");
        }

        uint clusterBits = BinaryPrimitives.ReadUInt32BigEndian(head[20..]);
        if (clusterBits is < MinClusterBits or > MaxClusterBits)
        {
            throw Bad($"unsupported cluster size: 2^{clusterBits}");
        }

        ulong clusterSize = 1UL << (int)clusterBits;
        if ((ulong)head.Length > clusterSize)
        {
            head = head[..(int)clusterSize];
        }

        ulong backingOffset = BinaryPrimitives.ReadUInt64BigEndian(head[8..]);
        uint backingSize = BinaryPrimitives.ReadUInt32BigEndian(head[16..]);
        ulong size = BinaryPrimitives.ReadUInt64BigEndian(head[24..]);
        uint crypt = BinaryPrimitives.ReadUInt32BigEndian(head[32..]);
        uint l1Size = BinaryPrimitives.ReadUInt32BigEndian(head[36..]);
        ulong l1Offset = BinaryPrimitives.ReadUInt64BigEndian(head[40..]);
        ulong refcountTableOffset = BinaryPrimitives.ReadUInt64BigEndian(head[48..]);
        uint refcountTableClusters = BinaryPrimitives.ReadUInt32BigEndian(head[56..]);
        uint snapshotCount = BinaryPrimitives.ReadUInt32BigEndian(head[60..]);
        ulong snapshotsOffset = BinaryPrimitives.ReadUInt64BigEndian(head[64..]);

        ulong incompatible = 0, compatible = 0, autoclear = 0;
        uint refcountOrder = 4, headerLength = V2Length;
        if (version == 3)
        {
            if (head.Length < V3Length)
            {
                throw Bad("the file is too short for a qcow2 version 3 header");
            }

            incompatible = BinaryPrimitives.ReadUInt64BigEndian(head[72..]);
            compatible = BinaryPrimitives.ReadUInt64BigEndian(head[80..]);
            autoclear = BinaryPrimitives.ReadUInt64BigEndian(head[88..]);
            refcountOrder = BinaryPrimitives.ReadUInt32BigEndian(head[96..]);
            headerLength = BinaryPrimitives.ReadUInt32BigEndian(head[100..]);
            if (headerLength < V3Length || headerLength > (ulong)head.Length || headerLength % 8 != 0)
            {
                throw Bad($"invalid header length {headerLength}");
            }
        }

        if ((incompatible & ~KnownIncompatible) != 0)
        {
            throw Bad($"unsupported incompatible features: {DescribeIncompatible(incompatible & ~KnownIncompatible)}");
        }

        if (refcountOrder > 6)
        {
            throw Bad($"refcount width 2^{refcountOrder} bits is above 64");
        }

        if (crypt != 0)
        {
            throw Bad("encrypted images are not supported");
        }

        ulong l1Needed = L1EntriesFor(size, (int)clusterBits);
        if (size > (1UL << 61) || l1Needed > MaxL1Bytes / 8)
        {
            throw Bad($"virtual size {size} is too large");
        }

        if (l1Size < l1Needed || (ulong)l1Size > MaxL1Bytes / 8)
        {
            throw Bad($"L1 table size {l1Size} does not fit the virtual size {size}");
        }

        CheckTable("L1 table", l1Offset, (ulong)l1Size * 8, clusterSize, mayBeEmpty: l1Size == 0);
        if (refcountTableClusters == 0 || refcountTableClusters * clusterSize > MaxRefcountTableBytes)
        {
            throw Bad($"refcount table of {refcountTableClusters} clusters is invalid");
        }

        CheckTable("refcount table", refcountTableOffset, refcountTableClusters * clusterSize, clusterSize, mayBeEmpty: false);
        if (snapshotCount > 65536)
        {
            throw Bad($"{snapshotCount} snapshots is too many");
        }

        if (snapshotCount > 0)
        {
            CheckTable("snapshot table", snapshotsOffset, 1, clusterSize, mayBeEmpty: false);
        }

        string? backingFile = null;
        if (backingOffset != 0 || backingSize != 0)
        {
            if (backingSize == 0 || backingSize > MaxBackingFileName || backingOffset > (ulong)head.Length
                || backingSize > (ulong)head.Length - backingOffset)
            {
                throw Bad("the backing file name lies outside the first cluster or is too long");
            }

            backingFile = Utf8(head.Slice((int)backingOffset, (int)backingSize), "backing file name");
        }

        string? backingFormat = ParseExtensions(head, (int)headerLength, version);
        return new Qcow2Header
        {
            Version = (int)version,
            ClusterBits = (int)clusterBits,
            Size = size,
            L1Size = l1Size,
            L1TableOffset = l1Offset,
            RefcountTableOffset = refcountTableOffset,
            RefcountTableClusters = refcountTableClusters,
            SnapshotCount = snapshotCount,
            SnapshotsOffset = snapshotsOffset,
            IncompatibleFeatures = incompatible,
            CompatibleFeatures = compatible,
            AutoclearFeatures = autoclear,
            RefcountOrder = (int)refcountOrder,
            HeaderLength = (int)headerLength,
            BackingFile = backingFile,
            BackingFormat = backingFormat,
        };
    }

    /// <summary>Header, extensions (backing format, end) and backing file name, to fit in the first cluster.</summary>
    public byte[] Serialize()
    {
        var bytes = new List<byte>();
        var fixedPart = new byte[Version == 3 ? V3Length : V2Length];
        Span<byte> h = fixedPart;
        FormatProbe.Qcow2Magic.CopyTo(h);
        BinaryPrimitives.WriteUInt32BigEndian(h[4..], (uint)Version);
        BinaryPrimitives.WriteUInt32BigEndian(h[20..], (uint)ClusterBits);
        BinaryPrimitives.WriteUInt64BigEndian(h[24..], Size);
        BinaryPrimitives.WriteUInt32BigEndian(h[36..], L1Size);
        BinaryPrimitives.WriteUInt64BigEndian(h[40..], L1TableOffset);
        BinaryPrimitives.WriteUInt64BigEndian(h[48..], RefcountTableOffset);
        BinaryPrimitives.WriteUInt32BigEndian(h[56..], RefcountTableClusters);
        BinaryPrimitives.WriteUInt32BigEndian(h[60..], SnapshotCount);
        BinaryPrimitives.WriteUInt64BigEndian(h[64..], SnapshotsOffset);
        if (Version == 3)
        {
            BinaryPrimitives.WriteUInt64BigEndian(h[72..], IncompatibleFeatures);
            BinaryPrimitives.WriteUInt64BigEndian(h[80..], CompatibleFeatures);
            BinaryPrimitives.WriteUInt64BigEndian(h[88..], AutoclearFeatures);
            BinaryPrimitives.WriteUInt32BigEndian(h[96..], (uint)RefcountOrder);
            BinaryPrimitives.WriteUInt32BigEndian(h[100..], V3Length);
        }

        bytes.AddRange(fixedPart);
        if (BackingFormat is not null)
        {
            byte[] name = Encoding.UTF8.GetBytes(BackingFormat);
            AddExtension(bytes, BackingFormatExtension, name);
        }

        AddExtension(bytes, 0, []);
        if (BackingFile is not null)
        {
            byte[] name = Encoding.UTF8.GetBytes(BackingFile);
            if (name.Length > MaxBackingFileName)
            {
                throw new BlockImageException($"backing file name '{BackingFile}' is longer than {MaxBackingFileName} bytes");
            }

            var result = bytes.ToArray();
            BinaryPrimitives.WriteUInt64BigEndian(result.AsSpan(8), (ulong)result.Length);
            BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(16), (uint)name.Length);
            return [.. result, .. name];
        }

        return bytes.ToArray();
    }

    private static void AddExtension(List<byte> bytes, uint type, byte[] data)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, type);
        BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(4), (uint)data.Length);
        bytes.AddRange(head);
        bytes.AddRange(data);
        bytes.AddRange(new byte[(8 - (data.Length % 8)) % 8]);
    }

    private static string? ParseExtensions(ReadOnlySpan<byte> head, int start, uint version)
    {
        string? backingFormat = null;
        int at = start;
        while (true)
        {
            if (head.Length - at < 8)
            {
                // QEMU reads extensions only up to the end of the cluster; a v2 image may have none at all.
                return version == 2 ? backingFormat : throw Bad("header extensions run past the first cluster");
            }

            uint type = BinaryPrimitives.ReadUInt32BigEndian(head[at..]);
            uint length = BinaryPrimitives.ReadUInt32BigEndian(head[(at + 4)..]);
            at += 8;
            if (type == 0)
            {
                return backingFormat;
            }

            if (length > (uint)(head.Length - at))
            {
                throw Bad($"header extension 0x{type:x8} runs past the first cluster");
            }

            if (type == BackingFormatExtension)
            {
                backingFormat = Utf8(head.Slice(at, (int)length), "backing format");
            }

            at += (int)((length + 7) & ~7u);
            if (at > head.Length)
            {
                at = head.Length;
            }
        }
    }

    private static void CheckTable(string what, ulong offset, ulong length, ulong clusterSize, bool mayBeEmpty)
    {
        if (mayBeEmpty && length == 0)
        {
            return;
        }

        if (offset == 0 || (offset & (clusterSize - 1)) != 0)
        {
            throw Bad($"{what} offset 0x{offset:x} is not a cluster-aligned offset past the header");
        }

        if (offset > (1UL << 56) || length > (1UL << 56) - offset)
        {
            throw Bad($"{what} at 0x{offset:x} lies beyond any possible file size");
        }
    }

    private static string Utf8(ReadOnlySpan<byte> bytes, string what)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Bad($"the {what} is not valid UTF-8");
        }
    }

    private static string DescribeIncompatible(ulong bits)
    {
        var names = new List<string>();
        for (int i = 0; i < 64; i++)
        {
            if ((bits & (1UL << i)) != 0)
            {
                names.Add(i < IncompatibleNames.Length ? IncompatibleNames[i] : $"bit {i}");
            }
        }

        return string.Join(", ", names);
    }

    private static BlockImageException Bad(string why) => new($"qcow2 header: {why}");
}
