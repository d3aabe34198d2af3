using System.Buffers.Binary;
using System.Numerics;

namespace Emulator.Block;

/// <summary>Creates empty images laid out as qemu-img does (qcow2: header, refcount table, one refcount block, L1 table).</summary>
public static class ImageCreator
{
    public static void Create(ImageCreateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ulong size = options.Size ?? BackingSize(options) ?? throw new BlockImageException("Image creation needs a size parameter");
        if (size > (1UL << 61))
        {
            throw new BlockImageException($"Image size {size} is too large");
        }

        size = (size + 511) & ~511UL;
        switch (options.Format)
        {
            case "raw":
                if (options.BackingFile is not null)
                {
                    throw new BlockImageException("Format 'raw' does not support backing files");
                }

                using (HostFile file = HostFile.Create(options.Path))
                {
                    file.SetLength((long)size);
                }

                break;
            case "qcow2":
                CreateQcow2(options, size);
                break;
            default:
                throw new BlockImageException($"Unknown image format '{options.Format}' (known: raw, qcow2)");
        }
    }

    private static ulong? BackingSize(ImageCreateOptions options)
    {
        if (options.BackingFile is null)
        {
            return null;
        }

        using IBlockImage backing = OpenBacking(options);
        return backing.Size;
    }

    private static IBlockImage OpenBacking(ImageCreateOptions options)
    {
        string path = Qcow2Image.ResolveBacking(options.Path, options.BackingFile ?? "");
        try
        {
            return BlockImage.Open(new BlockImageOptions { Path = path, Format = options.BackingFormat, ReadOnly = true });
        }
        catch (BlockImageException e)
        {
            throw new BlockImageException($"Could not open backing image '{path}': {e.Message}", e);
        }
    }

    private static void CreateQcow2(ImageCreateOptions options, ulong size)
    {
        ulong cs = options.ClusterSize;
        if (!BitOperations.IsPow2(cs) || cs < (1UL << Qcow2Header.MinClusterBits) || cs > (1UL << Qcow2Header.MaxClusterBits))
        {
            throw new BlockImageException($"Cluster size must be a power of two between 512 and 2M (got {cs})");
        }

        int version = options.Compat switch
        {
            "1.1" or "v3" => 3,
            "0.10" or "v2" => 2,
            _ => throw new BlockImageException($"Invalid compat version '{options.Compat}' (use 0.10 or 1.1)"),
        };
        if (options.BackingFile is not null)
        {
            // Like qemu-img: the backing image must open, so a typo is caught now rather than at boot.
            OpenBacking(options).Dispose();
        }

        int bits = BitOperations.Log2(cs);
        ulong l1Size = Qcow2Header.L1EntriesFor(size, bits);
        ulong l1Clusters = Math.Max(1, ((l1Size * 8) + cs - 1) / cs);
        ulong used = 3 + l1Clusters;
        if (used > cs / 2 || l1Size * 8 > Qcow2Header.MaxL1Bytes)
        {
            throw new BlockImageException($"Image size {size} is too large for cluster size {cs}");
        }

        var header = new Qcow2Header
        {
            Version = version,
            ClusterBits = bits,
            Size = size,
            L1Size = (uint)l1Size,
            L1TableOffset = 3 * cs,
            RefcountTableOffset = cs,
            RefcountTableClusters = 1,
            BackingFile = options.BackingFile,
            BackingFormat = options.BackingFile is null ? null : options.BackingFormat,
        };
        byte[] head = header.Serialize();
        if ((ulong)head.Length > cs)
        {
            throw new BlockImageException($"The header and backing file name do not fit in one {cs}-byte cluster");
        }

        var refcountTable = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(refcountTable, 2 * cs);
        var refcountBlock = new byte[used * 2];
        for (ulong c = 0; c < used; c++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(refcountBlock.AsSpan((int)c * 2), 1);
        }

        using HostFile file = HostFile.Create(options.Path);
        file.WriteAt(0, head);
        file.WriteAt((long)cs, refcountTable);
        file.WriteAt((long)(2 * cs), refcountBlock);
        file.SetLength((long)(used * cs));
        file.Sync();
    }
}
