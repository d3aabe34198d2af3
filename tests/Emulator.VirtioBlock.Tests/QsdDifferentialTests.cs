using System.Diagnostics;
using Emulator.Memory;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Virtio;
using Xunit.Abstractions;

namespace Emulator.VirtioBlock.Tests;

/// <summary>
/// The same requests, edge cases included, sent by our front-end to emu-block and to QEMU's own
/// vhost-user-blk export (qemu-storage-daemon, installed with QEMU): the statuses and the data must
/// agree. QEMU's virtio-blk request handling is the reference our parser follows.
/// </summary>
public sealed class QsdDifferentialTests : IDisposable
{
    private const long DiskSize = 1 << 20;
    private const ulong Sectors = DiskSize / 512;
    private readonly string _dir = Directory.CreateTempSubdirectory("emu-block-qsd-").FullName;
    private readonly ITestOutputHelper _output;

    public QsdDifferentialTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Emu_block_answers_like_qemu_storage_daemon()
    {
        string ours = CreateRaw("ours.img");
        string theirs = CreateRaw("theirs.img");
        string ourSocket = Path.Combine(_dir, "ours.sock");
        string theirSocket = Path.Combine(_dir, "theirs.sock");

        using Process emu = EmuBlockProcess.StartListening(ourSocket, "--blk-file", ours, "--format", "raw", "--discard", "unmap");
        using Process qsd = StartQsd(theirs, theirSocket);
        try
        {
            List<string> expected = Script(theirSocket);
            List<string> actual = Script(ourSocket);
            _output.WriteLine(string.Join('\n', expected));
            Assert.Equal(expected, actual);
        }
        finally
        {
            ProcessControl.Kill(emu.Id, Signals.SIGTERM);
            ProcessControl.Kill(qsd.Id, Signals.SIGTERM);
            Assert.True(emu.WaitForExit(30_000) && qsd.WaitForExit(30_000), "a server did not stop on SIGTERM");
        }

        Assert.Equal(File.ReadAllBytes(theirs), File.ReadAllBytes(ours));
    }

    /// <summary>Runs the request script against the server at <paramref name="socket"/>; returns one line per request.</summary>
    private static List<string> Script(string socket)
    {
        using var frontend = new VhostUserFrontend(UnixSocket.Connect(socket), 30_000);
        using GuestMemory memory = GuestMemory.Create((0, 2 << 20));
        using var kick = new EventFd();
        using var call = new EventFd();
        frontend.Negotiate(
            VirtioBlkFeatures.Version1 | VirtioBlkFeatures.Flush | VirtioBlkFeatures.Discard | VirtioBlkFeatures.WriteZeroes
            | VirtioBlkFeatures.BlkSize | VirtioBlkFeatures.SegMax | VirtioBlkFeatures.RingEventIdx | VirtioBlkFeatures.RingIndirectDesc
            | VhostUserFeatureBits.ProtocolFeatures,
            VhostUserProtocolFeatures.Config | VhostUserProtocolFeatures.ReplyAck | VhostUserProtocolFeatures.Mq);
        frontend.SetMemTable(memory);
        var queue = new MockSplitQueue(memory, 0, 128);
        frontend.ConfigureQueue(0, memory, queue.Size, queue.DescTable, queue.AvailRing, queue.UsedRing, kick, call);
        var d = new BlockDriver(queue, kick, call);
        byte[] data = Requests.Pattern(8192, 5);

        List<string> log =
        [
            $"capacity {BitConverter.ToUInt64(frontend.GetConfig(0, 8))}",
            $"write {d.Write(8, data[..4096], data[4096..])}",
            $"write-last {d.Write(Sectors - 1, data[..512])}",
        ];
        (VirtioBlkStatus status, byte[] back, _) = d.Read(8, 8192);
        log.Add($"read {status} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(back))}");
        log.Add($"read-past-end {d.Read(Sectors, 512).Status}");
        log.Add($"read-straddling-end {d.Read(Sectors - 1, 1024).Status}");
        log.Add($"read-huge-sector {d.Read(ulong.MaxValue / 512, 512).Status}");
        log.Add($"write-past-end {d.Write(Sectors, data[..512])}");
        log.Add($"write-partial-sector {d.Write(0, data[..100])}");
        log.Add($"flush {d.Flush()}");
        log.Add($"unknown-type {d.Simple((VirtioBlkRequestType)99)}");
        log.Add($"write-zeroes {d.RangeList(VirtioBlkRequestType.WriteZeroes, (9, 2, 0))}");
        log.Add($"write-zeroes-past-end {d.RangeList(VirtioBlkRequestType.WriteZeroes, (Sectors - 1, 2, 0))}");
        log.Add($"write-zeroes-bad-flag {d.RangeList(VirtioBlkRequestType.WriteZeroes, (0, 1, 2))}");
        log.Add($"discard-unmap-flag {d.RangeList(VirtioBlkRequestType.Discard, (0, 1, 1))}");
        log.Add($"flush-again {d.Flush()}");
        return log;
    }

    private static Process StartQsd(string image, string socket)
    {
        var info = new ProcessStartInfo("qemu-storage-daemon") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in (string[])[
            "--blockdev", $"driver=file,node-name=file0,filename={image}",
            "--export", $"type=vhost-user-blk,id=exp0,node-name=file0,addr.type=unix,addr.path={socket},writable=on"])
        {
            info.ArgumentList.Add(a);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException("could not start qemu-storage-daemon");
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        long deadline = Environment.TickCount64 + 60_000;
        while (!File.Exists(socket))
        {
            if (process.HasExited || Environment.TickCount64 > deadline)
            {
                process.Kill();
                process.Dispose();
                throw new InvalidOperationException("qemu-storage-daemon did not start listening");
            }

            Thread.Sleep(10);
        }

        return process;
    }

    private string CreateRaw(string name)
    {
        string path = Path.Combine(_dir, name);
        using FileStream f = File.Create(path);
        f.SetLength(DiskSize);
        return path;
    }
}
