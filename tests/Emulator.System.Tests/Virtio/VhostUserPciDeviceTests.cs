using System.Collections.Concurrent;
using System.Buffers.Binary;
using System.Text;
using Emulator.Memory;
using Emulator.Platform;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Virtio;
using Emulator.Vmm;
using L = Emulator.Platform.VirtioPciLayout;

namespace Emulator.System.Tests.Virtio;

/// <summary>
/// The whole path on a pc platform: a guest driver (simulated by MMIO accesses) probes a virtio-pci
/// function whose device is a vhost-user server on a socketpair, puts a buffer in a ring, rings the
/// notify address; the server's call eventfd comes back as an MSI in the local APIC.
/// </summary>
public sealed class VhostUserPciDeviceTests : IDisposable
{
    private const byte ConfigVector = VirtioPciDriver.ConfigVector;

    private readonly GuestMemory _memory = GuestMemory.Create((0, 0x10_0000));
    private readonly PcPlatform _platform;
    private readonly EchoVirtioServer _server = new();
    private readonly VhostUserBackend _backend;
    private readonly Thread _backendThread;
    private readonly SafeFd _backendEnd;
    private readonly VhostUserPciDevice _device;
    private readonly VirtioPciDriver _driver;
    private readonly ConcurrentQueue<(ulong Address, ulong Length)> _invalidated = new();

    public VhostUserPciDeviceTests()
    {
        _platform = new PcPlatform(new PcPlatformOptions { Memory = _memory, Layout = new RamLayout(0x10_0000) });
        (SafeFd frontendEnd, _backendEnd) = UnixSocket.CreatePair();
        _backend = new VhostUserBackend(_backendEnd, _server);
        _backendThread = new Thread(() => _backend.Run()) { IsBackground = true, Name = "virtio-pci-test-server" };
        _backendThread.Start();
        _device = new VhostUserPciDevice(new VhostUserFrontend(frontendEnd, 10_000), _memory, _platform.ApicBus, _platform.Post,
            new VhostUserPciDeviceOptions { DeviceType = 3, ConfigSize = 8, Name = "echo", InvalidateCode = (a, n) => _invalidated.Enqueue((a, n)) });

        _driver = new VirtioPciDriver(_platform, _memory, _device, "echo");
    }

    [Fact]
    public void Config_and_features_come_from_the_server()
    {
        Assert.Equal(2, _device.QueueCount);
        Assert.Equal(0x1043u, _device.Function.ReadConfig(2, 2));
        Assert.Equal("ECHOCONF", Encoding.ASCII.GetString(BitConverter.GetBytes(Read(L.DeviceOffset, 8))));

        Write(L.DeviceOffset + 4, 4, BinaryPrimitives.ReadUInt32LittleEndian("ECHO"u8));
        Assert.Equal("ECHOECHO", Encoding.ASCII.GetString(BitConverter.GetBytes(Read(L.DeviceOffset, 8))));

        Assert.Equal(0UL, ReadDeviceFeatures() & VhostUserFeatureBits.ProtocolFeatures);
        Assert.NotEqual(0UL, ReadDeviceFeatures() & VirtioTransportFeatures.Version1);
    }

    [Fact]
    public void A_notified_buffer_is_echoed_and_its_interrupt_arrives_as_an_msi()
    {
        MockSplitQueue ring = Probe(queue: 1, vector: 2);
        byte[] request = Encoding.ASCII.GetBytes("through the notify address");
        MockChain chain = ring.AddChain([request], [64]);

        // The notify write is an eventfd write: no message, the server's worker wakes on it.
        Write(L.NotifyOffset + (1 * 4), 2, 1);

        Assert.Equal(ConfigVector + 2, WaitForInterrupt());
        Assert.True(ring.TryGetUsed(out ushort id, out uint length));
        Assert.Equal(chain.Head, id);
        Assert.Equal((uint)request.Length, length);
        Assert.Equal(request, ring.ReadWritten(chain, length));
        Assert.Equal(1UL << 32, _server.AckedFeatures);
    }

    [Fact]
    public void Pages_the_server_wrote_drop_their_decoded_code_before_the_interrupt()
    {
        MockSplitQueue ring = Probe(queue: 1, vector: 2);
        MockChain chain = ring.AddChain([[1, 2, 3, 4]], [64]);
        Write(L.NotifyOffset + (1 * 4), 2, 1);
        Assert.Equal(ConfigVector + 2, WaitForInterrupt());

        // The server negotiated LOG_ALL with LOG_SHMFD (the guest never sees that bit), logged the
        // buffer it filled and the used ring, and the harvest reached the vCPU's hook first.
        Assert.Equal(0UL, ReadDeviceFeatures() & VhostUserFeatureBits.LogAll);
        HashSet<ulong> pages = [.. _invalidated.Select(p => p.Address)];
        Assert.All(_invalidated, p => Assert.Equal(DirtyLog.PageSize, p.Length));
        Assert.Contains(chain.Writable[0].Address & ~(DirtyLog.PageSize - 1), pages);
        Assert.Contains(ring.UsedRing & ~(DirtyLog.PageSize - 1), pages);
    }

    [Fact]
    public void Guest_reset_stops_the_rings_and_resets_the_server()
    {
        MockSplitQueue ring = Probe(queue: 0, vector: 1);
        ring.AddChain([[1, 2, 3]], [8]);
        Write(L.NotifyOffset, 2, 0);
        Assert.Equal(ConfigVector + 1, WaitForInterrupt());
        int resetsBefore = _server.Resets;

        Write(L.DeviceStatus, 1, 0);

        Assert.Equal(0UL, Read(L.DeviceStatus, 1));
        Assert.Equal(1, _server.Stops);
        Assert.Equal(resetsBefore + 1, _server.Resets);
        Assert.False(_device.IsBroken);
    }

    [Fact]
    public void A_dead_server_puts_the_device_in_needs_reset()
    {
        // The server goes away: its socket shut down under it, its session ends.
        UnixSocket.Shutdown(_backendEnd);
        Assert.True(_backendThread.Join(10_000));

        Probe(queue: 0, vector: 1, expectStarted: false);

        Assert.True(_device.IsBroken);
        Assert.NotEqual(0UL, Read(L.DeviceStatus, 1) & VirtioDeviceStatus.NeedsReset);
    }

    [Fact]
    public void Rings_outside_guest_ram_need_a_reset_but_leave_the_server_usable()
    {
        Probe(queue: 0, vector: 1, expectStarted: false, descriptorTable: 0xF_FF00);
        Assert.False(_device.IsBroken);
        Assert.Equal(ConfigVector, WaitForInterrupt());

        MockSplitQueue ring = Probe(queue: 0, vector: 1);
        ring.AddChain([[9]], [4]);
        Write(L.NotifyOffset, 2, 0);
        Assert.Equal(ConfigVector + 1, WaitForInterrupt());
    }

    public void Dispose()
    {
        _device.Dispose();
        _backendThread.Join(10_000);
        _backend.Dispose();
        _backendEnd.Dispose();
        _memory.Dispose();
    }

    private MockSplitQueue Probe(int queue, ushort vector, bool expectStarted = true, ulong? descriptorTable = null) =>
        _driver.Probe(queue, vector, expectStarted, descriptorTable);

    private int WaitForInterrupt() => _driver.WaitForInterrupt();

    private ulong ReadDeviceFeatures() => _driver.ReadDeviceFeatures();

    private ulong Read(ulong offset, int size) => _driver.Read(offset, size);

    private void Write(ulong offset, int size, ulong value) => _driver.Write(offset, size, value);
}
