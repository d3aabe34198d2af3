using System.Buffers.Binary;
using Emulator.Tests.Shared;

namespace Emulator.Block.Tests;

/// <summary>
/// emu-img check -r leaks|all and the repair on open, against qemu-img: leaks either tool makes are
/// repaired by the other, and a corrupt image is reported, never "repaired".
/// </summary>
[Collection(ImageReopeningCollection.Name)]
public sealed class Qcow2RepairTests
{
    private const int Cluster = 65536;

    [Theory]
    [InlineData("leaks")]
    [InlineData("all")]
    public void WeRepairALeakInAQemuImageAndQemuFindsItClean(string mode)
    {
        using var dir = new TempDir();
        string path = QemuImageWithLeak(dir);
        (int code, string output) = QemuImg.Run("check", path);
        Assert.True(code == 3, output);

        (code, string stdout, string stderr) = Run("check", "-r", mode, path);
        Assert.Equal(0, code);
        Assert.Contains("Repairing cluster 6 refcount=1 reference=0", stderr, StringComparison.Ordinal);
        Assert.StartsWith(
            "The following inconsistencies were found and repaired:\n\n    1 leaked clusters\n    0 corruptions\n\nDouble checking the fixed image now...\nNo errors were found on the image.\n",
            stdout,
            StringComparison.Ordinal);
        Assert.Contains($"Image end offset: {6 * Cluster}\n", stdout, StringComparison.Ordinal);
        Assert.Contains("No errors were found", QemuImg.Ok("check", path), StringComparison.Ordinal);
        Assert.Equal(0, Run("check", path).Code);
        AssertReads(path, 0, 0x77);
    }

    [Fact]
    public void QemuRepairsTheLeakAKillBetweenRefcountAndL2LeavesInOurImage()
    {
        using var dir = new TempDir();
        string path = OurImageWithLeakedDataCluster(dir);
        (int code, string stdout, _) = Run("check", path);
        Assert.Equal(3, code);
        Assert.Contains("1 leaked clusters were found on the image.", stdout, StringComparison.Ordinal);
        (code, string qemu) = QemuImg.Run("check", path);
        Assert.True(code == 3, qemu);

        QemuImg.Ok("check", "-r", "leaks", path);
        Assert.Equal(0, Run("check", path).Code);
        AssertReads(path, 0, 0x77);
        AssertReads(path, Cluster, 0);
    }

    [Fact]
    public void OurRepairOfOurLeakSatisfiesQemu()
    {
        using var dir = new TempDir();
        string path = OurImageWithLeakedDataCluster(dir);
        Assert.Equal(0, Run("check", "-r", "leaks", path).Code);
        Assert.Contains("No errors were found", QemuImg.Ok("check", path), StringComparison.Ordinal);
        AssertReads(path, 0, 0x77);

        // The freed cluster is handed out again, and the image stays consistent.
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path }))
        {
            img.Write(Cluster, Enumerable.Repeat((byte)0x55, Cluster).ToArray());
        }

        QemuImg.Ok("check", path);
        AssertReads(path, Cluster, 0x55);
    }

    [Fact]
    public void ARefcountPastTheEndOfTheFileIsClearedByTheRepairThoughQemuCannotSeeIt()
    {
        using var dir = new TempDir();
        string path = Qcow2InteropTests.NewImageWithOneDataCluster(dir);

        // Cluster 8 lies past the end (6 clusters): allocated, then the writer died before writing it.
        Qcow2InteropTests.PatchBytes(path, (2 * Cluster) + (8 * 2), [0, 1]);
        Assert.Equal(0, QemuImg.Run("check", path).ExitCode);
        Assert.Equal(0, Run("check", path).Code);
        (int code, _, string stderr) = Run("check", "-r", "leaks", path);
        Assert.Equal(0, code);
        Assert.Contains("Repairing cluster 8 refcount=1 reference=0", stderr, StringComparison.Ordinal);
        Assert.Equal(new byte[2], File.ReadAllBytes(path).AsSpan((2 * Cluster) + 16, 2).ToArray());

        // Had it stayed, the file growing over cluster 8 would have turned it into a leak qemu-img sees.
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path }))
        {
            img.Write(Cluster, new byte[Cluster * 3]);
        }

        QemuImg.Ok("check", path);
    }

    [Fact]
    public void ARefcountTablePointingOutsideTheFileIsReportedAndLeftUntouched()
    {
        using var dir = new TempDir();
        string path = QemuImageWithLeak(dir);

        // Refcount table entry 0 (the only block) now points far past the end of the file.
        Qcow2InteropTests.PatchBytes(path, Cluster, [0, 0, 0, 0, 0x10, 0, 0, 0]);
        AssertRepairRefused(path, "leaks", "all");
    }

    [Fact]
    public void OverlappingClustersAreNotRepairedByRepairLeaksButShareTheClusterAfterRepairAllAsInQemu()
    {
        using var dir = new TempDir();
        string path = dir.File("o.qcow2");
        QemuImg.Ok("create", "-f", "qcow2", path, "4M");
        QemuIo(path, "write -P 0x11 0 128k");
        (ulong l2, ulong[] entries) = ReadL2(path);
        Assert.NotEqual(0UL, entries[1]);

        // Guest cluster 1 now shares cluster 0's host cluster: its own becomes a leak, the shared one is counted twice.
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, entries[0]);
        Qcow2InteropTests.PatchBytes(path, (long)l2 + 8, bytes);
        AssertRepairRefused(path, "leaks");
        File.Copy(path, dir.File("qemu.qcow2"));

        (int code, string stdout, string stderr) = Run("check", "-r", "all", path);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("    1 leaked clusters\n    3 corruptions\n", stdout, StringComparison.Ordinal);
        Assert.Contains("Repairing OFLAG_COPIED data cluster", stderr, StringComparison.Ordinal);
        Assert.Contains("No errors were found", QemuImg.Ok("check", path), StringComparison.Ordinal);

        // qemu-img repairs it the same way: both leave the same metadata.
        QemuImg.Ok("check", "-r", "all", dir.File("qemu.qcow2"));
        Assert.Equal(File.ReadAllBytes(dir.File("qemu.qcow2")).AsSpan(0, 6 * Cluster).ToArray(), File.ReadAllBytes(path).AsSpan(0, 6 * Cluster).ToArray());

        // The shared cluster is copied on write: guest cluster 0 keeps its data.
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path }))
        {
            img.Write(Cluster, Enumerable.Repeat((byte)0x22, Cluster).ToArray());
        }

        AssertReads(path, 0, 0x11);
        AssertReads(path, Cluster, 0x22);

        // The survivor is ours alone again but keeps its cleared flag (as after qemu's own copy on write): another -r all sets it.
        Assert.Equal(0, Run("check", "-r", "all", path).Code);
        QemuImg.Ok("check", path);
        AssertReads(path, 0, 0x11);
    }

    [Fact]
    public void ADataEntryOnTheL1TableIsNotMadeASharedClusterByRepairAll()
    {
        using var dir = new TempDir();
        string path = Qcow2InteropTests.NewImageWithOneDataCluster(dir);

        // Guest cluster 1 claims cluster 3, the L1 table: raising its refcount would let the guest read the metadata.
        Qcow2InteropTests.PatchBytes(path, (5 * Cluster) + 8, [0x80, 0, 0, 0, 0, 3, 0, 0]);
        AssertRepairRefused(path, "leaks", "all");
    }

    [Fact]
    public void RepairAllRaisesALoweredRefcountAndRestoresTheCopiedFlagLikeQemu()
    {
        using var dir = new TempDir();
        string path = Qcow2InteropTests.NewImageWithOneDataCluster(dir);
        Qcow2InteropTests.PatchBytes(path, (2 * Cluster) + (4 * 2), [0, 0]);
        AssertRepairRefused(path, "leaks");
        (int code, string stdout, string stderr) = Run("check", "-r", "all", path);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("Repairing cluster 4 refcount=0 reference=1", stderr, StringComparison.Ordinal);
        Assert.Contains("No errors were found", QemuImg.Ok("check", path), StringComparison.Ordinal);
        AssertReads(path, 0, 0x77);
    }

    [Fact]
    public void OpeningWithRepairLeaksFreesLeaksAndSaysSo()
    {
        using var dir = new TempDir();
        string path = OurImageWithLeakedDataCluster(dir);
        var warnings = new List<string>();

        // Read-only opens never repair.
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, ReadOnly = true, RepairLeaks = true, Warn = warnings.Add }))
        {
            Assert.Equal(3, QemuImg.Run("check", "-U", path).ExitCode);
        }

        Assert.Empty(warnings);
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, RepairLeaks = true, Warn = warnings.Add }))
        {
            var data = new byte[Cluster];
            img.Read(0, data);
            Assert.All(data, b => Assert.Equal(0x77, b));
        }

        Assert.Equal([$"'{path}': repaired 1 leaked clusters"], warnings);
        QemuImg.Ok("check", path);
    }

    [Fact]
    public void OpeningACorruptImageWithRepairLeaksWarnsAndChangesNothing()
    {
        using var dir = new TempDir();
        string path = Qcow2InteropTests.NewImageWithOneDataCluster(dir);
        Qcow2InteropTests.PatchBytes(path, (2 * Cluster) + (4 * 2), [0, 0]);
        byte[] before = File.ReadAllBytes(path);
        var warnings = new List<string>();
        using (BlockImage.Open(new BlockImageOptions { Path = path, RepairLeaks = true, Warn = warnings.Add }))
        {
        }

        Assert.Single(warnings);
        Assert.Contains("not repaired", warnings[0], StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void ARepairWaitsForNoOneTheImageLockRefusesItWhileAWriterHasTheImage()
    {
        using var dir = new TempDir();
        string path = OurImageWithLeakedDataCluster(dir);
        using (BlockImage.Open(new BlockImageOptions { Path = path }))
        {
            (int code, _, string stderr) = Run("check", "-r", "leaks", path);
            Assert.Equal(1, code);
            Assert.Contains("lock", stderr, StringComparison.Ordinal);
            Assert.Throws<BlockImageException>(() => BlockImage.Open(new BlockImageOptions { Path = path, RepairLeaks = true }));
        }

        Assert.Equal(3, QemuImg.Run("check", path).ExitCode);
    }

    [Theory]
    [InlineData("-r", "frob")]
    [InlineData("-r")]
    [InlineData("-U", "-r", "leaks")]
    public void BadRepairArgumentsExitOne(params string[] options)
    {
        using var dir = new TempDir();
        string path = Qcow2InteropTests.NewImageWithOneDataCluster(dir);
        (int code, _, string error) = Run(["check", .. options, path]);
        Assert.Equal(1, code);
        Assert.StartsWith("emu-img: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ARawImageHasNothingToRepair()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("r.raw"), new byte[4096]);
        Assert.Equal(63, Run("check", "-f", "raw", "-r", "leaks", dir.File("r.raw")).Code);
    }

    /// <summary>
    /// Random damage to the metadata (refcount table and block, L1, L2 entries): check -r leaks never
    /// crashes, changes nothing where the plain check found errors, and what it calls clean qemu-img does too.
    /// </summary>
    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RepairingRandomlyDamagedMetadataNeverCrashesAndLeavesItCleanOrUntouched()
    {
        using var dir = new TempDir();
        string path = Qcow2InteropTests.NewImageWithOneDataCluster(dir);
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path }))
        {
            img.Write(Cluster, Enumerable.Repeat((byte)0x66, 2 * Cluster).ToArray());
        }

        byte[] pristine = File.ReadAllBytes(path);
        long[] metadata = [Cluster, 2 * Cluster, 3 * Cluster, 5 * Cluster];
        var random = new Random(4242);
        int qemuChecks = 0;
        for (int i = FuzzBudget.Iterations(300); i > 0; i--)
        {
            byte[] damaged = (byte[])pristine.Clone();
            for (int n = random.Next(1, 4); n > 0; n--)
            {
                long at = metadata[random.Next(metadata.Length)] + random.Next(64);
                damaged[at] = (byte)(random.Next(3) == 0 ? random.Next(256) : damaged[at] ^ (1 << random.Next(8)));
            }

            File.WriteAllBytes(path, damaged);
            int before = Run("check", path).Code;
            (int code, _, string stderr) = Run("check", "-r", "leaks", path);
            Assert.True(code is 0 or 1 or 2 or 3, $"exit {code}: {stderr}");
            if (before is 1 or 2)
            {
                Assert.Equal(damaged, File.ReadAllBytes(path));
            }
            else if (code == 0 && before == 3 && qemuChecks++ < 10)
            {
                (int qemu, string output) = QemuImg.Run("check", path);
                Assert.True(qemu == 0, output);
            }

            // -r all either leaves an image qemu-img finds clean or changes nothing.
            File.WriteAllBytes(path, damaged);
            (code, _, stderr) = Run("check", "-r", "all", path);
            Assert.True(code is 0 or 1 or 2 or 3, $"exit {code}: {stderr}");
            if (code != 0)
            {
                Assert.Equal(damaged, File.ReadAllBytes(path));
            }
            else if (before == 2 && qemuChecks++ < 10)
            {
                (int qemu, string output) = QemuImg.Run("check", path);
                Assert.True(qemu == 0, output);
            }
        }
    }

    private static void AssertRepairRefused(string path, params string[] modes)
    {
        Assert.Equal(2, QemuImg.Run("check", path).ExitCode);
        byte[] before = File.ReadAllBytes(path);
        foreach (string mode in modes)
        {
            (int code, string stdout, string stderr) = Run("check", "-r", mode, path);
            Assert.Equal(2, code);
            Assert.Contains("errors were found on the image", stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Repairing", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("repaired", stdout, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllBytes(path));
        }
    }

    /// <summary>qemu's layout: header, refcount table, refcount block, L1, L2, data (cluster 5); cluster 6 leaked.</summary>
    private static string QemuImageWithLeak(TempDir dir)
    {
        string path = dir.File("q.qcow2");
        QemuImg.Ok("create", "-f", "qcow2", path, "4M");
        QemuIo(path, "write -P 0x77 0 64k");
        Qcow2InteropTests.PatchBytes(path, 6 * Cluster, new byte[Cluster]);
        Qcow2InteropTests.PatchBytes(path, (2 * Cluster) + (6 * 2), [0, 1]);
        return path;
    }

    /// <summary>
    /// Guest cluster 1 written, then its L2 entry dropped: the state a SIGKILL leaves between the refcount
    /// update (durable first) and the L2 update.
    /// </summary>
    private static string OurImageWithLeakedDataCluster(TempDir dir)
    {
        string path = Qcow2InteropTests.NewImageWithOneDataCluster(dir);
        using (IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path }))
        {
            img.Write(Cluster, Enumerable.Repeat((byte)0x66, Cluster).ToArray());
        }

        (ulong l2, ulong[] entries) = ReadL2(path);
        Assert.NotEqual(0UL, entries[1]);
        Qcow2InteropTests.PatchBytes(path, (long)l2 + 8, new byte[8]);
        return path;
    }

    private static (ulong Offset, ulong[] Entries) ReadL2(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        ulong l1 = BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan(40));
        ulong l2 = BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan((int)l1)) & 0x00ff_ffff_ffff_fe00UL;
        var entries = new ulong[4];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan((int)l2 + (i * 8)));
        }

        return (l2, entries);
    }

    private static void AssertReads(string path, ulong offset, byte value)
    {
        using IBlockImage img = BlockImage.Open(new BlockImageOptions { Path = path, ReadOnly = true });
        var data = new byte[Cluster];
        img.Read(offset, data);
        Assert.All(data, b => Assert.Equal(value, b));
    }

    private static void QemuIo(string path, string command)
    {
        var start = new System.Diagnostics.ProcessStartInfo("qemu-io") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-f", "qcow2", "-c", command, path })
        {
            start.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("qemu-io did not start");
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, output);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = EmuImg.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
