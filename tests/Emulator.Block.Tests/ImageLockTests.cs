using Emulator.Tests.Shared;
namespace Emulator.Block.Tests;

public sealed class ImageLockTests
{
    [Fact]
    public void TwoWritersConflictAndTwoReadersDoNot()
    {
        using var dir = new TempDir();
        string path = dir.File("d.raw");
        File.WriteAllBytes(path, new byte[4096]);
        using (IBlockImage first = BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw" }))
        {
            var e = Assert.Throws<BlockImageException>(() => BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw" }));
            Assert.Contains("lock", e.Message, StringComparison.Ordinal);
            Assert.Throws<BlockImageException>(() => BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw", ReadOnly = true }));
        }

        using IBlockImage r1 = OpenOnceReleased(new BlockImageOptions { Path = path, Format = "raw", ReadOnly = true });
        using IBlockImage r2 = BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw", ReadOnly = true });
        Assert.Throws<BlockImageException>(() => BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw" }));
    }

    /// <summary>
    /// A closed image's OFD locks go with its open file description, which a child that another test
    /// forks at that moment holds until its exec closes it (O_CLOEXEC): allow that moment to pass.
    /// </summary>
    private static IBlockImage OpenOnceReleased(BlockImageOptions options)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return BlockImage.Open(options);
            }
            catch (BlockImageException) when (attempt < 100)
            {
                Thread.Sleep(20);
            }
        }
    }

    [Fact]
    public void QemuImgSeesOurWriteLock()
    {
        using var dir = new TempDir();
        string path = dir.File("d.raw");
        File.WriteAllBytes(path, new byte[4096]);
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, Format = "raw" }))
        {
            // qemu-img info takes no lock on a raw image (it reads nothing), so convert stands in for a reader.
            (int code, string output) = QemuImg.Run("convert", "-f", "raw", "-O", "raw", path, dir.File("copy"));
            Assert.NotEqual(0, code);
            Assert.Contains("Failed to get shared \"write\" lock", output, StringComparison.Ordinal);
            QemuImg.Ok("convert", "-U", "-f", "raw", "-O", "raw", path, dir.File("copy"));
        }

        QemuImg.Ok("convert", "-f", "raw", "-O", "raw", path, dir.File("copy"));
    }
}
