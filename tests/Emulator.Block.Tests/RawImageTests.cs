namespace Emulator.Block.Tests;

public sealed class RawImageTests
{
    [Fact]
    public void WritesReadBackAndFlush()
    {
        using var dir = new TempDir();
        string path = dir.File("d.raw");
        File.WriteAllBytes(path, new byte[1 << 20]);
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw" }))
        {
            Assert.Equal(1UL << 20, img.Size);
            img.Write(1000, "hello"u8);
            img.Flush();
            var back = new byte[5];
            img.Read(1000, back);
            Assert.Equal("hello"u8.ToArray(), back);
        }

        Assert.Equal("hello"u8.ToArray(), File.ReadAllBytes(path).AsSpan(1000, 5).ToArray());
    }

    [Fact]
    public void OutOfRangeRequestsThrowArgumentOutOfRange()
    {
        using var dir = new TempDir();
        string path = dir.File("d.raw");
        File.WriteAllBytes(path, new byte[4096]);
        using IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw" });
        Assert.Throws<ArgumentOutOfRangeException>(() => img.Read(4090, new byte[8]));
        Assert.Throws<ArgumentOutOfRangeException>(() => img.Write(ulong.MaxValue - 2, new byte[8]));
        Assert.Throws<ArgumentOutOfRangeException>(() => img.Discard(4000, ulong.MaxValue));
    }

    [Fact]
    public void ReadOnlyRefusesWrites()
    {
        using var dir = new TempDir();
        string path = dir.File("d.raw");
        File.WriteAllBytes(path, new byte[4096]);
        using IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw", ReadOnly = true });
        Assert.True(img.ReadOnly);
        Assert.Throws<BlockImageException>(() => img.Write(0, new byte[1]));
        Assert.Throws<BlockImageException>(() => img.WriteZeroes(0, 512, true));
    }

    [Fact]
    public void WriteZeroesAndDiscardZeroTheRange()
    {
        using var dir = new TempDir();
        string path = dir.File("d.raw");
        byte[] ones = new byte[64 * 1024];
        Array.Fill(ones, (byte)0xAB);
        File.WriteAllBytes(path, ones);
        using IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw" });
        img.WriteZeroes(100, 9000, mayUnmap: true);
        img.WriteZeroes(20000, 5000, mayUnmap: false);
        var back = new byte[ones.Length];
        img.Read(0, back);
        for (int i = 0; i < back.Length; i++)
        {
            bool zero = (i >= 100 && i < 9100) || (i >= 20000 && i < 25000);
            Assert.Equal(zero ? 0 : 0xAB, back[i]);
        }
    }

    [Fact]
    public void ProbedRawWarnsAndRefusesAQcow2MagicInSectorZero()
    {
        using var dir = new TempDir();
        string path = dir.File("d.img");
        File.WriteAllBytes(path, new byte[8192]);
        var warnings = new List<string>();
        using IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, Warn = warnings.Add });
        Assert.Contains(warnings, w => w.Contains("probing guessed raw", StringComparison.Ordinal) && w.Contains(path, StringComparison.Ordinal));
        Assert.Throws<BlockImageException>(() => img.Write(0, new byte[] { (byte)'Q', (byte)'F', (byte)'I', 0xfb }));
        img.Write(0, "QF"u8);
        Assert.Throws<BlockImageException>(() => img.Write(2, [(byte)'I', 0xfb]));
        var head = new byte[4];
        img.Read(0, head);
        Assert.Equal(new byte[] { (byte)'Q', (byte)'F', 0, 0 }, head);
        img.Write(512, new byte[] { (byte)'Q', (byte)'F', (byte)'I', 0xfb });
    }

    [Fact]
    public void ExplicitRawAllowsAnyData()
    {
        using var dir = new TempDir();
        string path = dir.File("d.img");
        File.WriteAllBytes(path, new byte[8192]);
        using IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw" });
        img.Write(0, new byte[] { (byte)'Q', (byte)'F', (byte)'I', 0xfb });
    }

    [Fact]
    public void DirectIoHandlesUnalignedRequestsOrRefusesClearly()
    {
        using var dir = new TempDir();
        string path = dir.File("d.raw");
        File.WriteAllBytes(path, new byte[3 * 4096 + 100]);
        IBlockImage img;
        try
        {
            img = BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw", DirectIo = true });
        }
        catch (BlockImageException e)
        {
            Assert.Contains("O_DIRECT", e.Message, StringComparison.Ordinal);
            return;
        }

        using (img)
        {
            byte[] data = Enumerable.Range(0, 9000).Select(i => (byte)(i * 7)).ToArray();
            img.Write(3000, data);
            img.Write(img.Size - 3, new byte[] { 1, 2, 3 });
            img.Flush();
            var back = new byte[data.Length];
            img.Read(3000, back);
            Assert.Equal(data, back);
        }

        byte[] file = File.ReadAllBytes(path);
        Assert.Equal(3 * 4096 + 100, file.Length);
        Assert.Equal(new byte[] { 1, 2, 3 }, file[^3..]);
    }
}
