using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Emulator.System.Tests.EndToEnd;
using Emulator.System.Tests.Virtio;
using Emulator.Tests.Shared;
using Xunit.Abstractions;

namespace Emulator.System.Tests.Block;

/// <summary>
/// QEMU 7.2, not our emulator, as the front-end of our emu-block: the default guest boots under
/// <c>qemu-system-x86_64 -accel tcg</c> with <c>-device vhost-user-blk-pci</c> on emu-block's socket and
/// mounts, writes and re-reads an ext4 filesystem on a qcow2 image. Then the image our server wrote is
/// judged by QEMU's own code: <c>qemu-img check</c>, <c>qemu-img convert</c> (read on the host with
/// debugfs) and a second QEMU boot with QEMU's in-process qcow2 driver. Two TCG boots of seconds each.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class QemuBootsEmuBlockTests(ITestOutputHelper output)
{
    private const int SeqCount = 300_000;

    private const string Mount = "set -e; mkdir -p /mnt; mount -t ext4 /dev/vda /mnt; ";

    /// <summary>Sums of the files the host checks: the guest's own (seq), the guest's copy of the host's payload, the payload.</summary>
    private const string PrintSums = "echo \"EMU-SEQ $(sha256sum </mnt/seq.txt)\"; echo \"EMU-COPY $(sha256sum </mnt/copy.bin)\"; "
        + "echo \"EMU-PAYLOAD $(sha256sum </mnt/payload.bin)\"; umount /mnt";

    [Fact]
    [Trait("Category", BlockBootTests.Category)]
    public void Qemu_boots_the_guest_on_an_emu_block_qcow2_disk_and_qemu_reads_what_it_wrote()
    {
        using var scratch = new ScratchDirectory();
        byte[] payload = new byte[2 << 20];
        new Random(6).NextBytes(payload);
        string image = MakeQcow2Ext4(scratch, payload);
        string expectedSeq = Sum(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(1, SeqCount).Select(n => $"{n}\n"))));
        string expectedPayload = Sum(payload);

        // A file written, deleted and trimmed (--discard unmap) frees qcow2 clusters that later writes may
        // reuse: the refcounts qemu-img check verifies. Dropping the caches after umount makes the remount
        // read files and metadata back through emu-block.
        string script = Mount + $"seq 1 {SeqCount} >/mnt/seq.txt; dd if=/dev/urandom of=/mnt/junk.bin bs=1M count=8 2>/dev/null; sync; "
            + "rm /mnt/junk.bin; sync; fstrim /mnt; cp /mnt/payload.bin /mnt/copy.bin; sync; umount /mnt; "
            + "echo 3 >/proc/sys/vm/drop_caches; mount -t ext4 /dev/vda /mnt; " + PrintSums;
        string socket = scratch.File("blk.sock");
        RepoLayout.RequireBuild();
        using (var server = new ExternalEmuBlock(Path.Combine(RepoLayout.Root, "bin", "emu-block"), socket, "--blk-file", image, "--format", "qcow2", "--discard", "unmap"))
        {
            server.Start();
            string console = Boot(scratch, script, () => server.Log, "-chardev", $"socket,id=c0,path={socket}", "-device", "vhost-user-blk-pci,chardev=c0");
            AssertSums(console, expectedSeq, expectedPayload);
            int status = server.Stop();
            Assert.True(status == 0, $"emu-block exited {status}\n{server.Log}");

            // Anything of QEMU's the server did not handle as expected would be logged as warn, fail or crit.
            string[] log = server.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(log, l => l.EndsWith("front-end connected", StringComparison.Ordinal));
            Assert.DoesNotContain(log, l => l.Split(' ') is [_, "warn" or "fail" or "crit", ..]);
        }

        (int check, string report) = QemuImg.Run("check", "-f", "qcow2", image);
        output.WriteLine(report);
        Assert.True(check == 0, $"qemu-img check exited {check} on the image emu-block wrote:\n{report}");
        Assert.Contains("No errors were found", report, StringComparison.Ordinal);

        string raw = scratch.File("converted.raw");
        QemuImg.Ok("convert", "-f", "qcow2", "-O", "raw", image, raw);
        Assert.Equal(expectedSeq, Sum(Encoding.ASCII.GetBytes(DefaultGuestBoot.Tool("debugfs", "-R", "cat /seq.txt", raw))));
        string copy = scratch.File("copy.bin");
        DefaultGuestBoot.Tool("debugfs", "-R", $"dump /copy.bin {copy}", raw);
        Assert.Equal(expectedPayload, Sum(File.ReadAllBytes(copy)));

        string drive = $"file={image.Replace(",", ",,", StringComparison.Ordinal)},format=qcow2,if=virtio";
        string again = Boot(scratch, "set -e; mkdir -p /mnt; mount -t ext4 -o ro /dev/vda /mnt; " + PrintSums, () => string.Empty, "-drive", drive);
        AssertSums(again, expectedSeq, expectedPayload);
    }

    private static void AssertSums(string console, string expectedSeq, string expectedPayload)
    {
        Assert.Equal(expectedSeq, DefaultGuestBoot.Field(console, "EMU-SEQ"));
        Assert.Equal(expectedPayload, DefaultGuestBoot.Field(console, "EMU-COPY"));
        Assert.Equal(expectedPayload, DefaultGuestBoot.Field(console, "EMU-PAYLOAD"));
    }

    /// <summary>Boots under QEMU; fails with the console, QEMU's stderr and <paramref name="serverLog"/> unless the script and QEMU ended well.</summary>
    private string Boot(ScratchDirectory scratch, string script, Func<string> serverLog, params string[] options)
    {
        var clock = Stopwatch.StartNew();
        (int status, string console, string stderr) = QemuGuestBoot.Run(scratch, script, options);
        output.WriteLine($"QEMU boot took {clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s\n{console}\n{stderr}");
        Assert.True(status == 0, $"QEMU exited {status}\n{console}\n{stderr}\n{serverLog()}");
        Assert.True(DefaultGuestBoot.Field(console, "EMU-GUEST-EXIT") == "0", $"the guest's script failed\n{console}\n{stderr}\n{serverLog()}");
        return console;
    }

    /// <summary>A 64 MiB ext4 filesystem holding payload.bin, made raw by mkfs.ext4 -d and converted to a sparse qcow2 by qemu-img.</summary>
    private static string MakeQcow2Ext4(ScratchDirectory scratch, byte[] payload)
    {
        string content = scratch.File("content");
        Directory.CreateDirectory(content);
        File.WriteAllBytes(Path.Combine(content, "payload.bin"), payload);
        string raw = scratch.File("ext4.raw");
        using (var file = new FileStream(raw, FileMode.CreateNew))
        {
            file.SetLength(64L << 20);
        }

        DefaultGuestBoot.Tool("mkfs.ext4", "-F", "-q", "-d", content, raw);
        string image = scratch.File("disk.qcow2");
        QemuImg.Ok("convert", "-f", "raw", "-O", "qcow2", raw, image);
        File.Delete(raw);
        return image;
    }

    private static string Sum(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
