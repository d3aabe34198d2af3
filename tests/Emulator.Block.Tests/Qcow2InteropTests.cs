using Emulator.Tests.Shared;
namespace Emulator.Block.Tests;

/// <summary>Our qcow2 against the real qemu-img: both directions, backing chains, compression, corruption.</summary>
public sealed class Qcow2InteropTests
{
    private const int Mib = 1 << 20;

    [Theory]
    [InlineData("1.1", 65536UL, 4 * Mib)]
    [InlineData("0.10", 65536UL, 4 * Mib)]
    [InlineData("1.1", 4096UL, 4 * Mib)]
    [InlineData("1.1", 512UL, 12 * Mib)]
    public void ImagesWeCreateAndWritePassQemuCheckAndReadTheSameInQemu(string compat, ulong clusterSize, int size)
    {
        using var dir = new TempDir();
        string path = dir.File("ours.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = path, Format = "qcow2", Size = (ulong)size, ClusterSize = clusterSize, Compat = compat });
        byte[] expected;
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, Format = "qcow2" }))
        {
            var model = new ImageModel(img, new byte[size], seed: 1, clusterSize);
            if (clusterSize == 512)
            {
                // Fill most of the disk: 512-byte clusters outgrow the first refcount table (64 blocks of 256).
                var fill = new byte[256 * 1024];
                new Random(2).NextBytes(fill);
                for (int at = 0; at < size - Mib; at += fill.Length)
                {
                    img.Write((ulong)at, fill);
                    fill.CopyTo(model.Expected, at);
                }
            }

            model.Run(operations: 150, maxLength: 200_000, discardsReadZero: true);
            model.AssertMatches();
            img.Flush();
            expected = model.Expected;
        }

        string check = QemuImg.Ok("check", "-f", "qcow2", path);
        Assert.Contains("No errors were found", check, StringComparison.Ordinal);
        QemuImg.Ok("convert", "-f", "qcow2", "-O", "raw", path, dir.File("out.raw"));
        ImageModel.AssertSame(expected, File.ReadAllBytes(dir.File("out.raw")));
        Assert.Equal(0, CheckWithUs(path));
    }

    [Theory]
    [InlineData("-o", "compat=0.10")]
    [InlineData("-o", "compat=1.1")]
    [InlineData("-c", "-o", "compat=1.1")]
    [InlineData("-c", "-o", "compat=0.10,cluster_size=4096")]
    [InlineData("-o", "refcount_bits=1,cluster_size=4096")]
    [InlineData("-o", "refcount_bits=64")]
    public void ImagesQemuMakesReadCorrectlyAndStayCleanAfterOurWrites(params string[] options)
    {
        using var dir = new TempDir();
        byte[] raw = RandomDisk(3 * Mib, seed: 3);
        File.WriteAllBytes(dir.File("src.raw"), raw);
        string path = dir.File("q.qcow2");
        QemuImg.Ok(["convert", "-f", "raw", "-O", "qcow2", .. options, dir.File("src.raw"), path]);
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path }))
        {
            ulong clusterSize = ((Qcow2Image)img).Header.ClusterSize;
            var model = new ImageModel(img, raw, seed: 4, clusterSize);
            model.AssertMatches();
            model.Run(operations: 60, maxLength: 100_000, discardsReadZero: true);
            model.AssertMatches();
            raw = model.Expected;
        }

        QemuImg.Ok("check", "-f", "qcow2", path);
        QemuImg.Ok("convert", "-f", "qcow2", "-O", "raw", path, dir.File("out.raw"));
        ImageModel.AssertSame(raw, File.ReadAllBytes(dir.File("out.raw")));
    }

    [Fact]
    public void WritesIntoClustersSharedWithAnInternalSnapshotCopyThemAndKeepTheSnapshot()
    {
        using var dir = new TempDir();
        byte[] raw = RandomDisk(2 * Mib, seed: 8);
        File.WriteAllBytes(dir.File("src.raw"), raw);
        string path = dir.File("snap.qcow2");
        QemuImg.Ok("convert", "-f", "raw", "-O", "qcow2", dir.File("src.raw"), path);
        QemuImg.Ok("snapshot", "-c", "s1", path);
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path }))
        {
            var model = new ImageModel(img, raw, seed: 9, 65536);
            model.Run(operations: 40, maxLength: 100_000, discardsReadZero: true);
            model.AssertMatches();
            raw = model.Expected;
        }

        Assert.Equal(0, CheckWithUs(path));
        QemuImg.Ok("check", path);
        QemuImg.Ok("convert", "-O", "raw", path, dir.File("now.raw"));
        ImageModel.AssertSame(raw, File.ReadAllBytes(dir.File("now.raw")));
        QemuImg.Ok("convert", "-l", "s1", "-O", "raw", path, dir.File("then.raw"));
        Assert.Equal(File.ReadAllBytes(dir.File("src.raw")), File.ReadAllBytes(dir.File("then.raw")));
    }

    [Fact]
    public void BackingChainsReadThroughAndOurWritesCopyOnWrite()
    {
        using var dir = new TempDir();
        byte[] baseBytes = RandomDisk(2 * Mib, seed: 5);
        File.WriteAllBytes(dir.File("base.raw"), baseBytes);
        QemuImg.Ok("create", "-f", "qcow2", "-o", "compat=0.10", "-b", "base.raw", "-F", "raw", dir.File("mid.qcow2"));
        QemuImg.Ok("create", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", dir.File("top.qcow2"), "3M");
        RunQemuIo(dir.File("mid.qcow2"), "write -P 0x11 100k 200k");
        RunQemuIo(dir.File("top.qcow2"), "write -P 0x22 250k 10k");
        RunQemuIo(dir.File("top.qcow2"), "write -z 1M 128k");
        QemuImg.Ok("convert", "-O", "raw", dir.File("top.qcow2"), dir.File("qemu-view.raw"));
        byte[] qemuView = File.ReadAllBytes(dir.File("qemu-view.raw"));

        string top = dir.File("top.qcow2");
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = top }))
        {
            Assert.Equal(3UL * Mib, img.Size);
            var model = new ImageModel(img, qemuView, seed: 6, 65536);
            model.AssertMatches();
            model.Run(operations: 60, maxLength: 100_000, discardsReadZero: false);
            model.AssertMatches();
            qemuView = model.Expected;
        }

        QemuImg.Ok("check", top);
        QemuImg.Ok("convert", "-O", "raw", top, dir.File("after.raw"));
        ImageModel.AssertSame(qemuView, File.ReadAllBytes(dir.File("after.raw")));
        Assert.Equal(baseBytes, File.ReadAllBytes(dir.File("base.raw")));
    }

    [Fact]
    public void OverlaysWeCreateAreAcceptedByQemu()
    {
        using var dir = new TempDir();
        byte[] baseBytes = RandomDisk(Mib, seed: 7);
        File.WriteAllBytes(dir.File("base.raw"), baseBytes);
        string overlay = dir.File("ov.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = overlay, Format = "qcow2", BackingFile = "base.raw", BackingFormat = "raw" });
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = overlay }))
        {
            Assert.Equal((ulong)Mib, img.Size);
            img.Write(1000, "overlay"u8);
            "overlay"u8.CopyTo(baseBytes.AsSpan(1000));
        }

        string info = QemuImg.Ok("info", overlay);
        Assert.Contains("backing file: base.raw", info, StringComparison.Ordinal);
        Assert.Contains("backing file format: raw", info, StringComparison.Ordinal);
        QemuImg.Ok("check", overlay);
        QemuImg.Ok("convert", "-O", "raw", overlay, dir.File("out.raw"));
        ImageModel.AssertSame(baseBytes, File.ReadAllBytes(dir.File("out.raw")));
    }

    [Fact]
    public void ARefcountDroppedUnderAUsedClusterIsCorruptionForQemuAndUs()
    {
        using var dir = new TempDir();
        string path = NewImageWithOneDataCluster(dir);

        // Layout: header, refcount table, refcount block, L1, then our first data cluster (4) and its L2 (5).
        PatchBytes(path, (2 * 65536) + (4 * 2), [0, 0]);
        (int code, string output) = QemuImg.Run("check", path);
        Assert.True(code == 2, output);
        Assert.Equal(2, CheckWithUs(path));
    }

    [Fact]
    public void ALeakedClusterIsExitCodeThreeForQemuAndUs()
    {
        using var dir = new TempDir();
        string path = NewImageWithOneDataCluster(dir);

        // Cluster 6 (past the image's end until now) gets a refcount nothing accounts for.
        PatchBytes(path, 6 * 65536, new byte[65536]);
        PatchBytes(path, (2 * 65536) + (6 * 2), [0, 1]);
        (int code, string output) = QemuImg.Run("check", path);
        Assert.True(code == 3, output);
        Assert.Equal(3, CheckWithUs(path));
    }

    [Fact]
    public void AnL2EntryPointingOutsideTheFileFailsTheRequestAndCheck()
    {
        using var dir = new TempDir();
        string path = NewImageWithOneDataCluster(dir);
        byte[] entry = [0x80, 0, 0, 0, 0x40, 0, 0, 0];
        PatchBytes(path, 5 * 65536, entry);
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, ReadOnly = true }))
        {
            var e = Assert.Throws<BlockImageException>(() => img.Read(0, new byte[512]));
            Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, QemuImg.Run("check", path).ExitCode);
        Assert.Equal(2, CheckWithUs(path));
    }

    [Fact]
    public void AnL2EntryPointingAtMetadataIsRefusedNotWrittenThrough()
    {
        using var dir = new TempDir();
        string path = NewImageWithOneDataCluster(dir);

        // Guest cluster 0 now claims the refcount table's cluster, flagged as ours alone.
        PatchBytes(path, 5 * 65536, [0x80, 0, 0, 0, 0, 1, 0, 0]);
        byte[] before = File.ReadAllBytes(path);
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path }))
        {
            Assert.Throws<BlockImageException>(() => img.Write(0, new byte[4096]));
            Assert.Throws<BlockImageException>(() => img.Read(0, new byte[4096]));
        }

        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void QemuImgSeesOurWriteLockOnQcow2()
    {
        using var dir = new TempDir();
        string path = dir.File("l.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = path, Format = "qcow2", Size = Mib });
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path }))
        {
            (int code, string output) = QemuImg.Run("info", path);
            Assert.NotEqual(0, code);
            Assert.Contains("Failed to get shared \"write\" lock", output, StringComparison.Ordinal);
            QemuImg.Ok("info", "-U", path);
        }

        QemuImg.Ok("info", path);
    }

    [Fact]
    public void AnImageQemuHoldsForWritingCannotBeOpenedByUs()
    {
        using var dir = new TempDir();
        string path = dir.File("l.qcow2");
        QemuImg.Ok("create", "-f", "qcow2", path, "1M");
        var start = new System.Diagnostics.ProcessStartInfo("qemu-io") { RedirectStandardInput = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("qcow2");
        start.ArgumentList.Add(path);
        using var qemu = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("qemu-io did not start");
        try
        {
            // Once qemu-io answers a command, the image is open and locked.
            qemu.StandardInput.WriteLine("write 0 512");
            qemu.StandardInput.Flush();
            while (qemu.StandardOutput.ReadLine() is { } line && !line.Contains("wrote", StringComparison.Ordinal))
            {
            }

            var e = Assert.Throws<BlockImageException>(() => BlockImage.Open(new BlockImageOptions { Path = path }));
            Assert.Contains("lock", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            qemu.StandardInput.WriteLine("quit");
            qemu.WaitForExit();
        }
    }

    internal static int CheckWithUs(string path)
    {
        using var output = new StringWriter();
        return EmuImg.Run(["check", path], output, output);
    }

    internal static string NewImageWithOneDataCluster(TempDir dir)
    {
        string path = dir.File("c.qcow2");
        ImageCreator.Create(new ImageCreateOptions { Path = path, Format = "qcow2", Size = 4 * Mib });
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, Format = "qcow2" }))
        {
            img.Write(0, Enumerable.Repeat((byte)0x77, 65536).ToArray());
        }

        Assert.Equal(0, CheckWithUs(path));
        return path;
    }

    internal static void PatchBytes(string path, long offset, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        file.Write(bytes);
    }

    private static byte[] RandomDisk(int size, int seed)
    {
        var bytes = new byte[size];
        var random = new Random(seed);
        random.NextBytes(bytes);

        // Zero runs, so converters leave holes and compressed images have something to compress.
        for (int at = 0; at < size; at += 256 * 1024)
        {
            Array.Clear(bytes, at, 100 * 1024);
        }

        Array.Fill(bytes, (byte)0x42, size / 2, 70_000);
        return bytes;
    }

    private static void RunQemuIo(string path, string command)
    {
        var start = new System.Diagnostics.ProcessStartInfo("qemu-io") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-c", command, path })
        {
            start.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("qemu-io did not start");
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0 && !output.Contains("error", StringComparison.OrdinalIgnoreCase), output);
    }
}
