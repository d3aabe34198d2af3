using Emulator.Tests.Shared;
namespace Emulator.Block.Tests;

public sealed class Qcow2ImageTests
{
    [Fact]
    public void ConcurrentWritersToDistinctRangesAllLand()
    {
        using var dir = new TempDir();
        string path = dir.File("c.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = path, Format = "qcow2", Size = 8 << 20, ClusterSize = 4096 });
        using IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, Format = "qcow2" });
        Parallel.For(0, 4, t =>
        {
            var data = new byte[6000];
            for (int i = 0; i < 40; i++)
            {
                Array.Fill(data, (byte)(t + 1));
                img.Write((ulong)((t * (2 << 20)) + (i * 6000)), data);
            }
        });
        var back = new byte[6000];
        for (int t = 0; t < 4; t++)
        {
            for (int i = 0; i < 40; i++)
            {
                img.Read((ulong)((t * (2 << 20)) + (i * 6000)), back);
                Assert.All(back, b => Assert.Equal(t + 1, b));
            }
        }
    }

    [Fact]
    public void Version2WriteZeroesOverABackingFileAllocatesZeroes()
    {
        using var dir = new TempDir();
        byte[] baseBytes = Enumerable.Repeat((byte)0xEE, 1 << 20).ToArray();
        File.WriteAllBytes(dir.File("base.raw"), baseBytes);
        string path = dir.File("v2.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = path, Format = "qcow2", Compat = "0.10", BackingFile = "base.raw", BackingFormat = "raw" });
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path }))
        {
            img.WriteZeroes(0, 200_000, mayUnmap: true);
            var back = new byte[300_000];
            img.Read(0, back);
            Assert.All(back.AsSpan(0, 200_000).ToArray(), b => Assert.Equal(0, b));
            Assert.All(back.AsSpan(200_000).ToArray(), b => Assert.Equal(0xEE, b));
        }

        QemuImg.Ok("check", path);
    }

    [Fact]
    public void OverlaysReadTheirBackingBeyondWhatTheyHoldAndZeroesPastItsEnd()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("small.raw"), Enumerable.Repeat((byte)0x33, 100_000).ToArray());
        string path = dir.File("big.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = path, Format = "qcow2", Size = 1 << 20, BackingFile = "small.raw", BackingFormat = "raw" });
        using IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, ReadOnly = true });
        var back = new byte[200_000];
        img.Read(0, back);
        Assert.All(back.AsSpan(0, 100_000).ToArray(), b => Assert.Equal(0x33, b));
        Assert.All(back.AsSpan(100_000).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void ABackingLoopIsRefusedNotFollowedForever()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("a.qcow2"), new byte[512]);
        ImageCreator.Create(new ImageCreateOptions { Path = dir.File("b.qcow2"), Format = "qcow2", Size = 1 << 20 });
        ImageCreator.Create(new ImageCreateOptions { Path = dir.File("a.qcow2"), Format = "qcow2", Size = 1 << 20, BackingFile = "b.qcow2", BackingFormat = "qcow2" });

        // Point b back at a: a -> b -> a -> ...
        byte[] header = new Qcow2Header
        {
            Version = 3, ClusterBits = 16, Size = 1 << 20, L1Size = 1, L1TableOffset = 3 << 16,
            RefcountTableOffset = 1 << 16, RefcountTableClusters = 1, BackingFile = "a.qcow2", BackingFormat = "qcow2",
        }.Serialize();
        Qcow2InteropTests.PatchBytes(dir.File("b.qcow2"), 0, header);
        var e = Assert.Throws<BlockImageException>(() => BlockImage.Open(new BlockImageOptions { Path = dir.File("a.qcow2"), ReadOnly = true }));
        Assert.Contains("backing chain", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOnlyQcow2RefusesWrites()
    {
        using var dir = new TempDir();
        string path = dir.File("r.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = path, Format = "qcow2", Size = 1 << 20 });
        using IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, ReadOnly = true });
        Assert.Throws<BlockImageException>(() => img.Write(0, new byte[1]));
        Assert.Throws<BlockImageException>(() => img.Discard(0, 65536));
        Assert.Throws<ArgumentOutOfRangeException>(() => img.Read(1 << 20, new byte[1]));
    }

    [Fact]
    public void DirectIoQcow2WritesAndReadsBack()
    {
        using var dir = new TempDir();
        string path = dir.File("d.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = path, Format = "qcow2", Size = 1 << 20 });
        IBlockImage img;
        try
        {
            img = BlockImage.Open(new BlockImageOptions { Path = path, DirectIo = true });
        }
        catch (BlockImageException e)
        {
            Assert.Contains("O_DIRECT", e.Message, StringComparison.Ordinal);
            return;
        }

        using (img)
        {
            var model = new ImageModel(img, new byte[1 << 20], seed: 31, 65536);
            model.Run(operations: 30, maxLength: 70_000, discardsReadZero: true);
            model.AssertMatches();
            img.Flush();
        }

        QemuImg.Ok("check", path);
    }

    [Fact]
    public void ForceShareReadsAnImageSomeoneIsWriting()
    {
        using var dir = new TempDir();
        string path = dir.File("s.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = path, Format = "qcow2", Size = 1 << 20 });
        using IBlockImage writer = BlockImage.Open(new BlockImageOptions { Path = path });
        writer.Write(0, "shared"u8);
        Assert.Throws<BlockImageException>(() => BlockImage.Open(new BlockImageOptions { Path = path, ReadOnly = true }));
        Assert.Throws<BlockImageException>(() => BlockImage.Open(new BlockImageOptions { Path = path, ForceShare = true }));
        using IBlockImage reader = BlockImage.Open(new BlockImageOptions { Path = path, ReadOnly = true, ForceShare = true });
        var back = new byte[6];
        reader.Read(0, back);
        Assert.Equal("shared"u8.ToArray(), back);
    }
}
