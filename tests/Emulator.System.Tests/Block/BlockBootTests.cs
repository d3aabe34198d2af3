using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Emulator.Posix;
using Emulator.System.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Emulator.System.Tests.Block;

/// <summary>
/// The default guest with a disk: an ext4 image made on the host, mounted by the guest's kernel
/// through virtio-blk-pci, served by an emu-block the emulator starts (-drive) or by QEMU's own
/// vhost-user-blk export (qemu-storage-daemon) through -chardev/-device vhost-user-blk-pci.
/// Each boot takes a minute or two: three boots in all.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BlockBootTests(ITestOutputHelper output)
{
    public const string Category = "Guest";

    private const string Mount = "set -e; mkdir -p /mnt; mount -t ext4 /dev/vda /mnt; ";

    [Fact]
    [Trait("Category", Category)]
    public void A_file_the_guest_writes_on_an_ext4_drive_survives_a_fresh_boot()
    {
        using var scratch = new ScratchDirectory();
        string image = scratch.File("disk.img");
        MakeExt4(image, null);
        string expected = Sum(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(1, 20000).Select(n => $"{n}\n"))));
        string drive = $"file={image.Replace(",", ",,", StringComparison.Ordinal)},format=raw,if=virtio";

        // Remounting after umount reads the file back from the disk, not from the page cache.
        (string first, _) = Boot(scratch, Mount + "seq 1 20000 >/mnt/data.txt; sync; echo \"EMU-SUM $(sha256sum </mnt/data.txt)\"; umount /mnt; "
            + "mount -t ext4 /dev/vda /mnt; echo \"EMU-REREAD $(sha256sum </mnt/data.txt)\"; umount /mnt", "-drive", drive);
        Assert.Equal(expected, DefaultGuestBoot.Field(first, "EMU-SUM"));
        Assert.Equal(expected, DefaultGuestBoot.Field(first, "EMU-REREAD"));
        Assert.Equal(expected, Sum(Encoding.ASCII.GetBytes(DefaultGuestBoot.Tool("debugfs", "-R", "cat /data.txt", image))));

        (string second, _) = Boot(scratch, Mount + "echo \"EMU-SUM $(sha256sum </mnt/data.txt)\"; umount /mnt", "-drive", drive);
        Assert.Equal(expected, DefaultGuestBoot.Field(second, "EMU-SUM"));
    }

    [Fact]
    [Trait("Category", Category)]
    public void The_guest_reads_and_writes_a_disk_served_by_qemu_storage_daemon()
    {
        using var scratch = new ScratchDirectory();
        string content = scratch.File("content");
        Directory.CreateDirectory(content);
        byte[] payload = new byte[300_000];
        new Random(5).NextBytes(payload);
        File.WriteAllBytes(Path.Combine(content, "payload.bin"), payload);
        string image = scratch.File("qsd.img");
        MakeExt4(image, content);
        string socket = scratch.File("qsd.sock");

        using Process qsd = BlockDevicesTests.StartQsd(image, socket);
        try
        {
            (string console, _) = Boot(scratch, Mount + "echo \"EMU-SUM $(sha256sum </mnt/payload.bin)\"; echo from-guest >/mnt/guest.txt; sync; umount /mnt",
                "-chardev", $"socket,id=c0,path={socket}", "-device", "vhost-user-blk-pci,chardev=c0");
            Assert.Equal(Sum(payload), DefaultGuestBoot.Field(console, "EMU-SUM"));
        }
        finally
        {
            ProcessControl.Kill(qsd.Id, Signals.SIGTERM);
            Assert.True(qsd.WaitForExit(Patience.WaitMs), "qemu-storage-daemon did not stop on SIGTERM");
        }

        Assert.Equal("from-guest\n", DefaultGuestBoot.Tool("debugfs", "-R", "cat /guest.txt", image));
    }

    [Fact]
    [Trait("Category", Category)]
    public void Killing_emu_block_while_the_guest_writes_loses_nothing()
    {
        using var scratch = new ScratchDirectory();
        string image = scratch.File("killed.img");
        using (var file = new FileStream(image, FileMode.CreateNew))
        {
            file.SetLength(16L << 20);
        }

        KillTwiceWhileTheGuestWrites(scratch, image, "raw");
        Assert.Equal(Sum(WrittenData()), Sum(File.ReadAllBytes(image).AsSpan(1 << 20, 10 << 20).ToArray()));
    }

    /// <summary>
    /// As above on a fresh qcow2 image with small clusters, so the kills land while clusters are being
    /// allocated (refcount, data, L2 and L1 updates). A kill between a refcount and its L2 entry leaks the
    /// cluster; the respawned server (--repair-leaks) frees it before serving, so the image ends clean.
    /// </summary>
    [Fact]
    [Trait("Category", Category)]
    public void Killing_emu_block_while_the_guest_allocates_qcow2_clusters_loses_nothing_and_leaks_nothing()
    {
        using var scratch = new ScratchDirectory();
        string image = scratch.File("killed.qcow2");
        DefaultGuestBoot.Tool("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", image, "16M");

        KillTwiceWhileTheGuestWrites(scratch, image, "qcow2");
        string check = DefaultGuestBoot.Tool("qemu-img", "check", image);
        Assert.Contains("No errors were found on the image.", check, StringComparison.Ordinal);
        string raw = scratch.File("killed.raw");
        DefaultGuestBoot.Tool("qemu-img", "convert", "-f", "qcow2", "-O", "raw", image, raw);
        byte[] disk = File.ReadAllBytes(raw);
        Assert.Equal(16 << 20, disk.Length);
        Assert.Equal(Sum(WrittenData()), Sum(disk.AsSpan(1 << 20, 10 << 20).ToArray()));
        Assert.False(disk.AsSpan(0, 1 << 20).ContainsAnyExcept((byte)0), "the first MiB was never written");
        Assert.False(disk.AsSpan(11 << 20).ContainsAnyExcept((byte)0), "the last 5 MiB were never written");
    }

    /// <summary>
    /// Boots with <paramref name="image"/> as the disk; the guest makes ten synchronous 1 MiB writes of
    /// 'k' at 1..11 MiB, a second apart, while the killer takes two servers down mid-way, then reads them
    /// back: the guest sees no error and the right checksum.
    /// </summary>
    private void KillTwiceWhileTheGuestWrites(ScratchDirectory scratch, string image, string format)
    {
        const string script = "head -c 1048576 /dev/zero | tr '\\0' 'k' >/tmp/blk; "
            + "for i in 1 2 3 4 5 6 7 8 9 10; do dd if=/tmp/blk of=/dev/vda bs=1M count=1 seek=$i conv=fsync 2>/dev/null || exit 1; sleep 1; done; "
            + "echo \"EMU-SUM $(dd if=/dev/vda bs=1M skip=1 count=10 2>/dev/null | sha256sum)\"";
        using var stop = new CancellationTokenSource();
        int killed = 0;
        var killer = new Thread(() => killed = KillWhileWriting(image, kills: 2, stop.Token)) { IsBackground = true };
        killer.Start();
        (string console, string stderr) = Boot(scratch, script, "-drive", $"file={image.Replace(",", ",,", StringComparison.Ordinal)},format={format},if=virtio");
        stop.Cancel();
        killer.Join();

        Assert.Equal(2, killed);
        Assert.Equal(2, stderr.Split("reconnected").Length - 1);
        Assert.Equal(Sum(WrittenData()), DefaultGuestBoot.Field(console, "EMU-SUM")?.Split(' ')[0]);
    }

    private static byte[] WrittenData()
    {
        byte[] expected = new byte[10 << 20];
        Array.Fill(expected, (byte)'k');
        return expected;
    }

    /// <summary>
    /// SIGKILLs the emu-block serving <paramref name="image"/> once it has passed a guest write to the
    /// host (more than 1 MiB through write(2): its own log lines are far less), <paramref name="kills"/>
    /// times, each life once; returns the kills made.
    /// </summary>
    private static int KillWhileWriting(string image, int kills, CancellationToken stop)
    {
        int done = 0;
        int lastPid = 0;
        while (done < kills && !stop.IsCancellationRequested)
        {
            Thread.Sleep(200);
            foreach (string dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == lastPid)
                {
                    continue;
                }

                try
                {
                    string cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                    if (!cmdline.Contains("emu-block", StringComparison.Ordinal) || !cmdline.Contains(image, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    string io = File.ReadAllText(Path.Combine(dir, "io"));
                    long written = io.Split('\n').Where(l => l.StartsWith("wchar:", StringComparison.Ordinal))
                        .Select(l => long.Parse(l["wchar:".Length..].Trim(), global::System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                    if (written > (1 << 20))
                    {
                        ProcessControl.Kill(pid, Signals.SIGKILL);
                        lastPid = pid;
                        done++;
                    }
                }
                catch (IOException)
                {
                    // The process went away while we looked.
                }
                catch (UnauthorizedAccessException)
                {
                    // Not ours to read.
                }
            }
        }

        return done;
    }

    private (string Console, string Stderr) Boot(ScratchDirectory scratch, string script, params string[] options)
    {
        var clock = Stopwatch.StartNew();
        (int status, string console, string stderr) = DefaultGuestBoot.Run(scratch, script, options);
        output.WriteLine($"boot took {clock.Elapsed.TotalSeconds:F0} s\n{console}\n{stderr}");
        Assert.True(status == 0, $"emu exited {status}\n{console}\n{stderr}");
        Assert.True(DefaultGuestBoot.Field(console, "EMU-GUEST-EXIT") == "0", $"the guest's script failed\n{console}\n{stderr}");
        return (console, stderr);
    }

    private static void MakeExt4(string image, string? content)
    {
        using (var file = new FileStream(image, FileMode.CreateNew))
        {
            file.SetLength(64L << 20);
        }

        DefaultGuestBoot.Tool("mkfs.ext4", content is null ? ["-F", "-q", image] : ["-F", "-q", "-d", content, image]);
    }

    private static string Sum(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
