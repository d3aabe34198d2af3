using System.Buffers.Binary;
using Emulator.Memory;
using Emulator.Platform;
using Emulator.Virtio;
using Emulator.Vmm;
using L = Emulator.Platform.VirtioPciLayout;

namespace Emulator.System.Tests.Virtio;

/// <summary>
/// A guest's virtio-pci driver, simulated by MMIO accesses on a pc platform: attaches the device's function,
/// probes it like Linux, and plays the vCPU thread (posted work, the LAPIC) while waiting for interrupts.
/// </summary>
internal sealed class VirtioPciDriver
{
    public const byte ConfigVector = 0x50;
    public const ulong RingBase = 0x1_0000;

    private readonly PcPlatform _platform;
    private readonly GuestMemory _memory;
    private readonly VirtioPciFunction _function;
    private readonly ulong _common;

    public VirtioPciDriver(PcPlatform platform, GuestMemory memory, VhostUserPciDevice device, string name)
        : this(platform, memory, Attach(platform, device.Function, name))
    {
    }

    /// <summary>A driver for a function already on the bus with its BARs mapped (as <c>BlockDevices</c> leaves it).</summary>
    public VirtioPciDriver(PcPlatform platform, GuestMemory memory, VirtioPciFunction function)
    {
        _platform = platform;
        _memory = memory;
        _function = function;
        _common = function.BarAddress(L.RegionBar) + L.CommonOffset;

        // The guest's LAPIC: software-enabled (SVR bit 8), spurious vector 0xFF.
        platform.LocalApic.Write(0xF0, [0xFF, 0x01, 0, 0]);
    }

    /// <summary>The Linux probe: reset, ACK, DRIVER, features, FEATURES_OK, MSI-X, one queue with its own vector, DRIVER_OK.</summary>
    /// <param name="featureMask">The features the driver may accept (all the device offers by default).</param>
    public MockSplitQueue Probe(int queue, ushort vector, bool expectStarted = true, ulong? descriptorTable = null, ushort size = 64, ulong featureMask = ulong.MaxValue)
    {
        PciFunction f = _function;
        f.WriteConfig(PciFunction.CommandOffset, 2, f.Command | 0x6u);
        Write(L.DeviceStatus, 1, 0);
        Write(L.DeviceStatus, 1, VirtioDeviceStatus.Acknowledge | VirtioDeviceStatus.Driver);
        ulong features = ReadDeviceFeatures() & featureMask;
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
        for (int n = 0; n < _function.Msix.VectorCount; n++)
        {
            WriteAt(table + (ulong)(16 * n), 4, MsiMessage.AddressBase);
            WriteAt(table + (ulong)(16 * n) + 8, 4, (uint)(ConfigVector + n));
            WriteAt(table + (ulong)(16 * n) + 12, 4, 0);
        }

        Write(L.ConfigMsixVector, 2, 0);
        var ring = new MockSplitQueue(_memory, RingBase, size);
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

    /// <summary>Rings queue <paramref name="queue"/>'s notify address.</summary>
    public void Notify(int queue) => Write(L.NotifyOffset + ((ulong)queue * 4), 2, (ulong)queue);

    /// <summary>Runs the vCPU side (posted work) until the LAPIC has an interrupt, then acknowledges and ends it (EOI).</summary>
    public int WaitForInterrupt()
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

    public ulong ReadDeviceFeatures()
    {
        Write(L.DeviceFeatureSelect, 4, 0);
        ulong low = Read(L.DeviceFeature, 4);
        Write(L.DeviceFeatureSelect, 4, 1);
        return low | (Read(L.DeviceFeature, 4) << 32);
    }

    public ulong Read(ulong offset, int size)
    {
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        Assert.True(_platform.Mmio.TryRead(_common + offset, bytes[..size]));
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    public void Write(ulong offset, int size, ulong value) => WriteAt(_common + offset, size, value);

    private static VirtioPciFunction Attach(PcPlatform platform, VirtioPciFunction function, string name)
    {
        int slot = platform.Pci.Bus.FreeSlot();
        platform.Pci.Bus.Attach(slot, 0, function);
        function.InterruptLine = platform.PciInterrupt(slot, 0);
        platform.AssignPciResources();
        function.MapBars(platform.Mmio, name);
        return function;
    }

    private void WriteAt(ulong address, int size, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        Assert.True(_platform.Mmio.TryWrite(address, bytes[..size]));
    }
}
