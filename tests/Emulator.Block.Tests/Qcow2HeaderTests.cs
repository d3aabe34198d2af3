using System.Buffers.Binary;
using Emulator.Tests.Shared;

namespace Emulator.Block.Tests;

public sealed class Qcow2HeaderTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void SerializedHeadersParseBack(int version)
    {
        var header = new Qcow2Header
        {
            Version = version,
            ClusterBits = 16,
            Size = 1UL << 30,
            L1Size = 2,
            L1TableOffset = 3 << 16,
            RefcountTableOffset = 1 << 16,
            RefcountTableClusters = 1,
            BackingFile = "../base image.qcow2",
            BackingFormat = "qcow2",
        };
        Qcow2Header parsed = Qcow2Header.Parse(header.Serialize());
        Assert.Equal(header with { HeaderLength = parsed.HeaderLength }, parsed);
    }

    public static TheoryData<string, int, byte[]> Refusals => new()
    {
        { "bad magic", 0, [0x51, 0x46, 0x49, 0xFA] },
        { "version 4", 4, [0, 0, 0, 4] },
        { "version 1", 4, [0, 0, 0, 1] },
        { "cluster bits 8", 20, [0, 0, 0, 8] },
        { "cluster bits 22", 20, [0, 0, 0, 22] },
        { "encrypted", 32, [0, 0, 0, 1] },
        { "L1 too small for the size", 24, [0, 0, 1, 0, 0, 0, 0, 0] },
        { "L1 unaligned", 44, [0, 0, 0x10, 0] },
        { "refcount table unaligned", 52, [0, 1, 0, 8] },
        { "no refcount table", 56, [0, 0, 0, 0] },
        { "external data file bit", 79, [4] },
        { "unknown incompatible bit", 79, [0x20] },
        { "refcount order 7", 99, [7] },
        { "short header length", 103, [96] },
        { "backing name outside the cluster", 8, [0, 0, 0, 0, 0, 0, 0xFF, 0xF0, 0, 0, 0, 32] },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void InvalidHeadersAreRefusedWithAClearError(string why, int offset, byte[] patch)
    {
        byte[] head = ValidHeader();
        patch.CopyTo(head, offset);
        var e = Assert.Throws<BlockImageException>(() => Qcow2Header.Parse(head));
        Assert.StartsWith("qcow2 header:", e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public void UnknownIncompatibleFeaturesAreNamedAndRefusedByOpen()
    {
        using var dir = new TempDir();
        string path = dir.File("x.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = path, Format = "qcow2", Size = 1 << 20 });
        Qcow2InteropTests.PatchBytes(path, 79, [0x10]);
        var e = Assert.Throws<BlockImageException>(() => BlockImage.Open(new BlockImageOptions { Path = path, ReadOnly = true }));
        Assert.Contains("extended L2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "dirty")]
    [InlineData(2, "corrupt")]
    public void DirtyOrCorruptImagesOpenOnlyReadOnly(byte bit, string word)
    {
        using var dir = new TempDir();
        string path = dir.File("x.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = path, Format = "qcow2", Size = 1 << 20 });
        Qcow2InteropTests.PatchBytes(path, 79, [bit]);
        var e = Assert.Throws<BlockImageException>(() => BlockImage.Open(new BlockImageOptions { Path = path }));
        Assert.Contains(word, e.Message, StringComparison.Ordinal);
        using IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, ReadOnly = true });
        Assert.Equal(1UL << 20, img.Size);
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomHeadersNeverCrashTheParser()
    {
        var random = new Random(11);
        byte[] valid = ValidHeader();
        for (int i = FuzzBudget.Iterations(20_000); i > 0; i--)
        {
            byte[] head;
            if (random.Next(4) == 0)
            {
                head = new byte[random.Next(0, 600)];
                random.NextBytes(head);
                if (head.Length >= 8 && random.Next(2) == 0)
                {
                    valid.AsSpan(0, 8).CopyTo(head);
                }
            }
            else
            {
                head = valid[..random.Next(0, valid.Length + 1)];
                for (int n = random.Next(1, 6); n > 0 && head.Length > 0; n--)
                {
                    head[random.Next(head.Length)] = random.Next(3) == 0 ? (byte)0xFF : (byte)random.Next(256);
                }
            }

            try
            {
                Qcow2Header h = Qcow2Header.Parse(head);
                Assert.InRange(h.ClusterBits, Qcow2Header.MinClusterBits, Qcow2Header.MaxClusterBits);
                Assert.True((ulong)h.L1Size >= Qcow2Header.L1EntriesFor(h.Size, h.ClusterBits));
                Assert.Equal(0UL, h.RefcountTableOffset & (h.ClusterSize - 1));
            }
            catch (BlockImageException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }
        }
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void ImagesWithRandomlyCorruptedMetadataFailOnlyWithBlockImageException()
    {
        using var dir = new TempDir();
        string pristine = dir.File("pristine.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = pristine, Format = "qcow2", Size = 1 << 20, ClusterSize = 512 });
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = pristine, Format = "qcow2" }))
        {
            img.Write(0, Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray());
        }

        byte[] good = File.ReadAllBytes(pristine);
        var random = new Random(12);
        string path = dir.File("fuzz.qcow2");
        for (int i = FuzzBudget.Iterations(25); i > 0; i--)
        {
            byte[] bad = (byte[])good.Clone();
            for (int n = random.Next(1, 20); n > 0; n--)
            {
                // Mostly metadata: the header and the first clusters (refcount table and block, L1, L2s).
                int at = random.Next(2) == 0 ? random.Next(0, 8 * 512) : random.Next(bad.Length);
                bad[at] = (byte)random.Next(256);
            }

            File.WriteAllBytes(path, bad);
            Exercise(path, random);
        }
    }

    private static void Exercise(string path, Random random)
    {
        IBlockImage img;
        try
        {
            img = BlockImage.Open(new BlockImageOptions { Path = path, Format = "qcow2" });
        }
        catch (BlockImageException)
        {
            return;
        }

        using (img)
        {
            var buffer = new byte[20_000];
            for (int op = 0; op < 20; op++)
            {
                ulong offset = (ulong)random.NextInt64(0, (long)Math.Min(img.Size, 1UL << 40) - buffer.Length);
                try
                {
                    switch (random.Next(4))
                    {
                        case 0: img.Read(offset, buffer); break;
                        case 1: img.Write(offset, buffer); break;
                        case 2: img.WriteZeroes(offset, (ulong)buffer.Length, true); break;
                        default: img.Discard(offset, (ulong)buffer.Length); break;
                    }
                }
                catch (BlockImageException)
                {
                }
            }
        }

        using var output = new StringWriter();
        int code = EmuImg.Run(["check", path], output, output);
        Assert.InRange(code, 0, 3);
    }

    private static byte[] ValidHeader()
    {
        var header = new Qcow2Header
        {
            Version = 3,
            ClusterBits = 16,
            Size = 1 << 20,
            L1Size = 1,
            L1TableOffset = 3 << 16,
            RefcountTableOffset = 1 << 16,
            RefcountTableClusters = 1,
        };
        byte[] bytes = header.Serialize();
        Assert.Equal(0x10000UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(48)));
        return [.. bytes, .. new byte[512 - bytes.Length]];
    }
}
