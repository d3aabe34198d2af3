using Emulator.Tests.Shared;
using System.Collections.Concurrent;
using Emulator.Memory;
using Emulator.Platform;
using Emulator.System.Tests.EndToEnd;
using Emulator.Virtio;
using Emulator.VirtioBlock;
using Emulator.Vmm;

namespace Emulator.System.Tests.Virtio;

/// <summary>
/// The real emu-block behind virtio-pci, killed with SIGKILL again and again while a guest writes: the device
/// respawns it through its Reconnect function, hands the new server the kept in-flight log, and every write
/// completes exactly once with status OK and is in the image afterwards.
/// </summary>
public sealed class EmuBlockReconnectTests : IDisposable
{
    // Without FLUSH negotiated the device is write-through: each write is synced, so a kill lands mid-wave.
    private const int RequestSize = WriteWaves.RequestSize;
    private const int Waves = 12;
    private const int PerWave = 16;
    private const int RingVector = 1;
    private const ulong MemorySize = 8 << 20;
    private static readonly int[] KillInWaves = [2, 5, 8];

    private readonly GuestMemory _memory = GuestMemory.Create((0, MemorySize));
    private readonly ScratchDirectory _scratch = new();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly PcPlatform _platform;

    public EmuBlockReconnectTests()
    {
        _platform = new PcPlatform(new PcPlatformOptions { Memory = _memory, Layout = new RamLayout(MemorySize) });
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("qcow2")]
    public void Writes_survive_repeated_kill_9_of_emu_block_and_each_completes_once(string format)
    {
        string image = _scratch.File($"disk.{format}");
        const long Size = (long)Waves * PerWave * RequestSize;
        if (format == "raw")
        {
            using FileStream f = File.Create(image);
            f.SetLength(Size);
        }
        else
        {
            QemuImg.Ok("create", "-f", format, image, Size.ToString(global::System.Globalization.CultureInfo.InvariantCulture));
        }

        using var server = new RespawningEmuBlock(_scratch.Path, "--blk-file", image, "--format", format);
        MockSplitQueue ring;
        int reconnects;
        bool inflight;
        using (var device = new VhostUserPciDevice(server.Spawn(), _memory, _platform.ApicBus, _platform.Post, new VhostUserPciDeviceOptions
        {
            DeviceType = 2,
            ConfigSize = VirtioBlkConfig.Size,
            QueueCount = 1,
            Name = "blk",
            Log = _log.Enqueue,
            Reconnect = server.Spawn,
            ReconnectDelayMs = 10,
            ReconnectMaxDelayMs = 200,
        }))
        {
            var driver = new VirtioPciDriver(_platform, _memory, device, "blk");
            ring = driver.Probe(queue: 0, vector: RingVector, size: 128, featureMask: VirtioBlkFeatures.Version1);
            int kills = 0;
            for (int wave = 0; wave < Waves; wave++)
            {
                Dictionary<ushort, MockChain> outstanding = WriteWaves.Add(ring, wave, PerWave);
                ushort before = ring.UsedIndex;
                driver.Notify(0);
                if (kills < KillInWaves.Length && wave == KillInWaves[kills])
                {
                    // Mid-wave, once the first request is back: the server is writing the next one or about to.
                    WriteWaves.AwaitFirstCompletion(ring, before);
                    ushort seen = ring.UsedIndex;
                    server.KillHard();
                    _log.Enqueue($"test: killed with used.idx {seen}, the wave started at {before}");
                    kills++;
                }

                WriteWaves.CollectAll(ring, outstanding, wave, () => string.Join(" | ", _log));
            }

            reconnects = device.Reconnects;
            inflight = device.HasInflightLog;
            Assert.False(device.IsBroken);
        }

        // The last server ends (SIGTERM) before the image is looked at: it holds the image's lock.
        server.Dispose();

        Assert.Equal(KillInWaves.Length, reconnects);
        Assert.Equal(KillInWaves.Length + 1, server.Lives);
        Assert.True(inflight);
        Assert.Equal((ushort)(Waves * PerWave), ring.UsedIndex);

        string raw = image;
        if (format != "raw")
        {
            // Killed mid-allocation three times, the image must have no corruption (exit 2). Leaked clusters
            // (exit 3: allocated, then the server died before linking them) are the safe side of the ordering and
            // what QEMU leaves after a crash too; the data check below shows nothing was lost.
            (int check, string report) = QemuImg.Run("check", "-f", format, image);
            Assert.True(check is 0 or 3, $"qemu-img check exited {check}: {report}");
            raw = _scratch.File("converted.raw");
            QemuImg.Ok("convert", "-f", format, "-O", "raw", image, raw);
        }

        WriteWaves.AssertInImage(File.ReadAllBytes(raw), Waves * PerWave);
    }

    public void Dispose()
    {
        _memory.Dispose();
        _scratch.Dispose();
    }
}
