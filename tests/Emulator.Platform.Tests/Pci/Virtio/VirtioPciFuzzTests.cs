using L = Emulator.Platform.VirtioPciLayout;

namespace Emulator.Platform.Tests.Pci.Virtio;

/// <summary>Random guest accesses to configuration space and both BARs: no exception, and the invariants hold.</summary>
public sealed class VirtioPciFuzzTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_accesses_never_throw_and_keep_the_registers_consistent(int seed)
    {
        var random = new Random(seed);
        var rig = new VirtioPciRig(queueCount: 3, maxQueueSize: 64);
        VirtioPciDriver d = rig.Driver;
        ulong regions = rig.Function.BarAddress(L.RegionBar);
        ulong msix = rig.Function.BarAddress(L.MsixBar);
        int[] sizes = [1, 2, 4, 8, 3, 16];
        Span<byte> buffer = stackalloc byte[16];

        for (int i = 0; i < 20_000; i++)
        {
            int size = sizes[random.Next(sizes.Length)];
            buffer = buffer[..16];
            random.NextBytes(buffer);
            Span<byte> data = buffer[..size];

            // Bias towards the interesting fields: the common config, status and queue registers.
            ulong address = random.Next(6) switch
            {
                0 => regions + (ulong)random.Next(0x40),
                1 => regions + (ulong)random.Next(0x4000 + 16),
                2 => msix + (ulong)random.Next(0x1000 + 16),
                3 => d.Common + (ulong)(random.Next(0x40) & ~(size - 1)),
                _ => d.Common + (ulong)random.Next(0x40),
            };

            switch (random.Next(10))
            {
                case 0:
                    // Not the BARs: a moved BAR stops decoding (tested elsewhere) and would starve the rest of the run.
                    int offset = random.Next(-4, 260);
                    if (offset + size <= PciFunction.FirstBarOffset || offset >= PciFunction.FirstBarOffset + 24)
                    {
                        d.WriteConfig(offset, Math.Min(size, 4), (uint)random.Next() | 0x6);
                    }

                    break;
                case 1:
                    _ = d.ReadConfig(random.Next(-4, 260), Math.Min(size, 4));
                    break;
                case 2:
                    rig.Function.Interrupt(random.Next(-1, 5));
                    break;
                case 3:
                    rig.Function.ConfigChanged();
                    break;
                case 4 or 5:
                    rig.Mmio.TryRead(address, data);
                    break;
                default:
                    rig.Mmio.TryWrite(address, data);
                    break;
            }

            AssertConsistent(rig);
        }
    }

    private static void AssertConsistent(VirtioPciRig rig)
    {
        VirtioPciFunction f = rig.Function;
        if ((f.Status & VirtioDeviceStatus.DriverOk) != 0)
        {
            Assert.NotEqual(0, f.Status & VirtioDeviceStatus.FeaturesOk);
        }

        if ((f.Status & VirtioDeviceStatus.FeaturesOk) != 0)
        {
            Assert.Equal(0UL, f.DriverFeatures & ~f.DeviceFeatures);
        }

        for (int q = 0; q < f.QueueCount; q++)
        {
            VirtioQueueConfig queue = f.Queue(q);
            Assert.True(queue.Size is > 0 and <= 64 && ushort.IsPow2(queue.Size), $"queue {q} size {queue.Size}");
            Assert.True(queue.MsixVector == L.NoVector || queue.MsixVector < f.Msix.VectorCount);
            if (f.IsQueueEnabled(q))
            {
                Assert.Equal(0UL, queue.DescriptorTable & 15);
            }
        }

        Assert.Equal(rig.Intx.Level, f.Isr != 0 && !f.Msix.Enabled && (f.Command & 0x400) == 0);
        foreach (VirtioQueueConfig queue in rig.Backend.Starts.SelectMany(s => s.Queues))
        {
            Assert.True(ushort.IsPow2(queue.Size));
        }
    }
}
