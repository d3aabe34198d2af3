using System.Text;
using Emulator.Memory;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Virtio;

namespace Emulator.VirtioBlock.Tests;

/// <summary>The built emu-block as a separate process on a real raw file, driven by our vhost-user front-end.</summary>
public sealed class InteropTests : IDisposable
{
    private const long DiskSize = 4 << 20;
    private readonly string _dir = Directory.CreateTempSubdirectory("emu-block-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Flushed_writes_survive_a_kill_9_of_the_server_and_a_new_server_reads_them_back()
    {
        string image = CreateRaw("disk.img");
        byte[] first = Requests.Pattern(16 * 1024, 11);
        byte[] second = Requests.Pattern(4096, 12);

        using (EmuBlockProcess server = EmuBlockProcess.Start("--blk-file", image, "--format", "raw", "--serial", "interop-1"))
        using (GuestMemory memory = GuestMemory.Create((0, 2 << 20)))
        using (var kick = new EventFd())
        using (var call = new EventFd())
        {
            BlockDriver d = Connect(server.Frontend, memory, kick, call);
            Assert.Equal(VirtioBlkStatus.Ok, d.Write(0, first));
            Assert.Equal(VirtioBlkStatus.Ok, d.Write(2000, second[..1024], second[1024..]));
            Assert.Equal(VirtioBlkStatus.Ok, d.Flush());
            Assert.Equal(first, d.Read(0, 8192, 8192).Data);
            (VirtioBlkStatus status, byte[] id) = d.GetId(20);
            Assert.Equal(VirtioBlkStatus.Ok, status);
            Assert.Equal("interop-1", Encoding.ASCII.GetString(id).TrimEnd('\0'));

            // Acknowledged but never flushed: may or may not survive, but must not disturb what was flushed.
            Assert.Equal(VirtioBlkStatus.Ok, d.Write(4000, Requests.Pattern(512, 13)));
            server.KillHard();
        }

        byte[] file = File.ReadAllBytes(image);
        Assert.Equal(first, file.AsSpan(0, first.Length).ToArray());
        Assert.Equal(second, file.AsSpan(2000 * 512, second.Length).ToArray());

        // The killed server's OFD lock died with it: a new one opens the image for writing.
        using (EmuBlockProcess server = EmuBlockProcess.Start("--blk-file", image, "--format", "raw"))
        using (GuestMemory memory = GuestMemory.Create((0, 2 << 20)))
        using (var kick = new EventFd())
        using (var call = new EventFd())
        {
            BlockDriver d = Connect(server.Frontend, memory, kick, call);
            Assert.Equal(second, d.Read(2000, 4096).Data);
            Assert.Equal(0, server.CloseAndWait());
        }
    }

    [Fact]
    public void A_read_only_server_refuses_writes_and_leaves_the_file_alone()
    {
        string image = CreateRaw("ro.img");
        using EmuBlockProcess server = EmuBlockProcess.Start("--blk-file", image, "--format", "raw", "--read-only", "--num-queues", "2");
        using GuestMemory memory = GuestMemory.Create((0, 2 << 20));
        using var kick = new EventFd();
        using var call = new EventFd();
        BlockDriver d = Connect(server.Frontend, memory, kick, call);
        Assert.NotEqual(0UL, server.Frontend.Features & VirtioBlkFeatures.ReadOnly);
        Assert.Equal(2UL, server.Frontend.GetQueueNum());
        Assert.Equal(VirtioBlkStatus.IoErr, d.Write(0, Requests.Pattern(512, 1)));
        Assert.Equal(VirtioBlkStatus.Ok, d.Read(0, 512).Status);
        Assert.Equal(0, server.CloseAndWait());
        Assert.All(File.ReadAllBytes(image), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Command_line_errors_exit_promptly_with_a_message()
    {
        (int code, _, string stderr) = EmuBlockProcess.RunToExit("--socket-path", Path.Combine(_dir, "s.sock"), "--blk-file", Path.Combine(_dir, "missing.img"));
        Assert.Equal(1, code);
        Assert.Contains("missing.img", stderr, StringComparison.Ordinal);

        (code, _, stderr) = EmuBlockProcess.RunToExit("--socket-path", Path.Combine(_dir, "s.sock"), "--blk-file", CreateRaw("q.img"), "--num-queues", "0");
        Assert.Equal(2, code);
        Assert.Contains("--num-queues", stderr, StringComparison.Ordinal);

        (code, string stdout, _) = EmuBlockProcess.RunToExit("--print-capabilities");
        Assert.Equal(0, code);
        Assert.Contains("\"type\": \"block\"", stdout, StringComparison.Ordinal);
    }

    private static BlockDriver Connect(VhostUserFrontend frontend, GuestMemory memory, EventFd kick, EventFd call)
    {
        frontend.Negotiate(ulong.MaxValue, (VhostUserProtocolFeatures)ulong.MaxValue);
        frontend.SetMemTable(memory);
        var queue = new MockSplitQueue(memory, 0, 64);
        frontend.ConfigureQueue(0, memory, queue.Size, queue.DescTable, queue.AvailRing, queue.UsedRing, kick, call);
        return new BlockDriver(queue, kick, call);
    }

    private string CreateRaw(string name)
    {
        string path = Path.Combine(_dir, name);
        using FileStream f = File.Create(path);
        f.SetLength(DiskSize);
        return path;
    }
}
