using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Emulator.System.Tests.EndToEnd;
using Emulator.System.Tests.Virtio;
using Xunit.Abstractions;

namespace Emulator.System.Tests.Block;

/// <summary>
/// QEMU's crash containment for a vhost-user-blk server someone else started: the test starts
/// <c>bin/emu-block --socket-path S</c> itself, boots the default guest with
/// <c>-chardev socket,id=c0,path=S,reconnect=1 -device vhost-user-blk-pci,chardev=c0</c>, SIGKILLs the server
/// while the guest writes with fsync and starts a new one on S two seconds later. The guest only stalls:
/// its writes succeed, its checksum is right, and so is the image. One boot, a minute or two.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ExternalServerReconnectBootTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", BlockBootTests.Category)]
    public async Task Killing_an_external_emu_block_with_reconnect_set_loses_nothing()
    {
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string image = scratch.File("external.img");
        using (var file = new FileStream(image, FileMode.CreateNew))
        {
            file.SetLength(16L << 20);
        }

        string socket = scratch.File("blk.sock");
        using var server = new ExternalEmuBlock(Path.Combine(RepoLayout.Root, "bin", "emu-block"), socket, "--blk-file", image, "--format", "raw");
        server.Start();

        // Ten synchronous 1 MiB writes a second apart; the killer below takes the server down mid-way.
        const string script = "head -c 1048576 /dev/zero | tr '\\0' 'x' >/tmp/blk; "
            + "for i in 1 2 3 4 5 6 7 8 9 10; do dd if=/tmp/blk of=/dev/vda bs=1M count=1 seek=$i conv=fsync 2>/dev/null || exit 1; sleep 1; done; "
            + "echo \"EMU-SUM $(dd if=/dev/vda bs=1M skip=1 count=10 2>/dev/null | sha256sum)\"";
        using var stop = new CancellationTokenSource();
        // A task, not a bare thread: a failed restart fails the test instead of the test host.
        Task<bool> killer = Task.Factory.StartNew(() => KillWhileWritingThenRestart(server, stop.Token), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var clock = Stopwatch.StartNew();
        (int status, string console, string stderr) = DefaultGuestBoot.Run(scratch, script,
            "-chardev", $"socket,id=c0,path={socket},reconnect=1", "-device", "vhost-user-blk-pci,chardev=c0");
        output.WriteLine($"boot took {clock.Elapsed.TotalSeconds:F0} s\n{console}\n{stderr}\nemu-block: {string.Join("\n", server.Stderr)}");
        stop.Cancel();
        bool killed = await killer;

        // The last server serves no one now and waits for its next front-end: it ends before the image is read.
        server.Dispose();

        Assert.True(status == 0, $"emu exited {status}\n{console}\n{stderr}");
        Assert.True(DefaultGuestBoot.Field(console, "EMU-GUEST-EXIT") == "0", $"the guest's script failed\n{console}\n{stderr}");
        Assert.True(killed, "the server was never killed: the guest wrote nothing?");
        Assert.Equal(2, server.Starts);
        Assert.Contains("; reconnecting", stderr, StringComparison.Ordinal);
        Assert.Equal(1, stderr.Split("reconnected (1 ring(s) resumed)").Length - 1);
        Assert.DoesNotContain("needs a reset", stderr, StringComparison.Ordinal);

        byte[] expected = new byte[10 << 20];
        Array.Fill(expected, (byte)'x');
        Assert.Equal(Sum(expected), DefaultGuestBoot.Field(console, "EMU-SUM"));
        Assert.Equal(Sum(expected), Sum(File.ReadAllBytes(image).AsSpan(1 << 20, 10 << 20).ToArray()));
    }

    /// <summary>
    /// SIGKILLs the server once it has passed a guest write to the host (more than 1 MiB through write(2): its
    /// own log lines are far less), then starts a new one on the same path two seconds later; true if it did.
    /// </summary>
    private static bool KillWhileWritingThenRestart(ExternalEmuBlock server, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Thread.Sleep(200);
            if (server.ProcessId is not int pid)
            {
                continue;
            }

            string io;
            try
            {
                io = File.ReadAllText($"/proc/{pid}/io");
            }
            catch (IOException)
            {
                continue;
            }

            long written = io.Split('\n').Where(l => l.StartsWith("wchar:", StringComparison.Ordinal))
                .Select(l => long.Parse(l["wchar:".Length..].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
            if (written > (1 << 20))
            {
                server.KillHard();
                Thread.Sleep(2000);
                server.Start();
                return true;
            }
        }

        return false;
    }

    private static string Sum(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
