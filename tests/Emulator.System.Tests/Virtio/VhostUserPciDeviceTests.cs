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
    private const byte ConfigVector = 0x50;
    private const ulong RingBase = 0x1_0000;

    private readonly GuestMemory _memory = GuestMemory.Create((0, 0x10_0000));
    private readonly PcPlatform _platform;
    private readonly EchoVirtioServer _server = new();
    private readonly VhostUserBackend _backend;
    private readonly Thread _backendThread;
    private readonly SafeFd _backendEnd;
    private readonly VhostUserPciDevice _device;
    private readonly ulong _common;
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

        int slot = _platform.Pci.Bus.FreeSlot();
        _platform.Pci.Bus.Attach(slot, 0, _device.Function);
        _device.Function.InterruptLine = _platform.PciInterrupt(slot, 0);
        _platform.AssignPciResources();
        _device.Function.MapBars(_platform.Mmio, "echo");
        _common = _device.Function.BarAddress(L.RegionBar) + L.CommonOffset;

        // The guest's LAPIC: software-enabled (SVR bit 8), spurious vector 0xFF.
        _platform.LocalApic.Write(0xF0, [0xFF, 0x01, 0, 0]);
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

    /// <summary>The Linux probe: reset, ACK, DRIVER, features, FEATURES_OK, MSI-X, one queue with its own vector, DRIVER_OK.</summary>
    private MockSplitQueue Probe(int queue, ushort vector, bool expectStarted = true, ulong? descriptorTable = null)
    {
        PciFunction f = _device.Function;
        f.WriteConfig(PciFunction.CommandOffset, 2, f.Command | 0x6u);
        Write(L.DeviceStatus, 1, 0);
        Write(L.DeviceStatus, 1, VirtioDeviceStatus.Acknowledge | VirtioDeviceStatus.Driver);
        ulong features = ReadDeviceFeatures();
        Write(L.DriverFeatureSelect, 4, 0);
        Write(L.DriverFeature, 4, (uint)features);
        Write(L.DriverFeatureSelect, 4, 1);
        Write(L.DriverFeature, 4, features >> 32);
        Write(L.DeviceStatus, 1, VirtioDeviceStatus.Acknowledge | VirtioDeviceStatus.Driver | VirtioDeviceStatus.FeaturesOk);
        Assert.NotEqual(0UL, Read(L.DeviceStatus, 1) & VirtioDeviceStatus.FeaturesOk);

        // MSI-X: the capability is the first in the list; vectors n -> APIC vector ConfigVector + n, destination APIC 0.
        int control = (int)f.ReadConfig(PciFunction.CapabilityPointerOffset, 1) + 2;
        f.WriteConfig(control, 2, MsixTable.ControlEnable);
        ulong table = f.BarAddress(L.MsixBar) + L.MsixTableOffset;
        for (int n = 0; n < _device.Function.Msix.VectorCount; n++)
        {
            WriteAt(table + (ulong)(16 * n), 4, MsiMessage.AddressBase);
            WriteAt(table + (ulong)(16 * n) + 8, 4, (uint)(ConfigVector + n));
            WriteAt(table + (ulong)(16 * n) + 12, 4, 0);
        }

        Write(L.ConfigMsixVector, 2, 0);
        var ring = new MockSplitQueue(_memory, RingBase, 64);
        Write(L.QueueSelect, 2, (ulong)queue);
        Write(L.QueueSize, 2, ring.Size);
        Write(L.QueueDesc, 4, descriptorTable ?? ring.DescTable);
        Write(L.QueueDesc + 4, 4, 0);
        Write(L.QueueDriver, 4, ring.AvailRing);
        Write(L.QueueDriver + 4, 4, 0);
        Write(L.QueueDevice, 4, ring.UsedRing);
        Write(L.QueueDevice + 4, 4, 0);
        Write(L.QueueMsixVector, 2, vector);
        Assert.Equal(vector, Read(L.QueueMsixVector, 2));
        Write(L.QueueEnable, 2, 1);
        Write(L.DeviceStatus, 1, VirtioDeviceStatus.Acknowledge | VirtioDeviceStatus.Driver | VirtioDeviceStatus.FeaturesOk | VirtioDeviceStatus.DriverOk);
        Assert.Equal(expectStarted, (Read(L.DeviceStatus, 1) & VirtioDeviceStatus.NeedsReset) == 0);
        return ring;
    }

    /// <summary>Runs the vCPU side (posted work) until the LAPIC has an interrupt, then acknowledges and ends it (EOI).</summary>
    private int WaitForInterrupt()
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_platform.LocalApic.HasPendingInterrupt && DateTime.UtcNow < deadline)
        {
            _platform.Wakeup.Wait(TimeSpan.FromMilliseconds(50));
            _platform.RunTimers();
        }

        Assert.True(_platform.LocalApic.HasPendingInterrupt, "no interrupt reached the local APIC");
        int vector = _platform.LocalApic.AcknowledgeInterrupt();
        _platform.LocalApic.Write(0xB0, [0, 0, 0, 0]);
        return vector;
    }

    private ulong ReadDeviceFeatures()
    {
        Write(L.DeviceFeatureSelect, 4, 0);
        ulong low = Read(L.DeviceFeature, 4);
        Write(L.DeviceFeatureSelect, 4, 1);
        return low | (Read(L.DeviceFeature, 4) << 32);
    }

    private ulong Read(ulong offset, int size)
    {
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        Assert.True(_platform.Mmio.TryRead(_common + offset, bytes[..size]));
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    private void Write(ulong offset, int size, ulong value) => WriteAt(_common + offset, size, value);

    private void WriteAt(ulong address, int size, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        Assert.True(_platform.Mmio.TryWrite(address, bytes[..size]));
    }
}
