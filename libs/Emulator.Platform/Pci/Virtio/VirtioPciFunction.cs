using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>
/// A modern (virtio 1.0+) virtio-pci function (virtio 1.2, 4.1): vendor 0x1AF4, device 0x1040 plus the
/// device type, revision 1; the common, notify, ISR and device configuration structures in 4 KiB regions
/// of the 64-bit BAR 4, and an MSI-X table (one vector per queue plus one for configuration changes)
/// with its PBA in BAR 1, as QEMU lays them out. The common configuration is the spec's state machine;
/// device configuration, queue start, notifications and reset go to an <see cref="IVirtioDeviceBackend"/>.
/// Interrupts (<see cref="Interrupt"/>, <see cref="ConfigChanged"/>) go out as MSI-X messages when the
/// guest enabled MSI-X, else through the ISR and the INTx line. Guest mistakes are ignored or answered
/// as the spec says, never thrown. Everything runs on the vCPU thread: other threads go through
/// <c>PcPlatform.Post</c>. After the BARs are assigned, <see cref="MapBars"/> puts them on the MMIO bus.
/// </summary>
public sealed partial class VirtioPciFunction : PciFunction
{
    private const ushort CommandInterruptDisable = 0x400;

    private readonly IVirtioDeviceBackend _backend;
    private readonly VirtioQueueState[] _queues;
    private readonly ulong _deviceFeatures;
    private readonly int _msixCapability;

    public VirtioPciFunction(IVirtioDeviceBackend backend, ApicBus apicBus)
        : this(backend, (address, data) => MsiMessage.Deliver(apicBus, address, data))
    {
        ArgumentNullException.ThrowIfNull(apicBus);
    }

    /// <param name="deliverMsi">Sends one MSI write (address, data) to the interrupt controllers.</param>
    public VirtioPciFunction(IVirtioDeviceBackend backend, Action<ulong, uint> deliverMsi)
        : base(VirtioPciLayout.VendorId, DeviceIdOf(backend), ClassCodeOf(backend.DeviceType), VirtioPciLayout.Revision)
    {
        ArgumentNullException.ThrowIfNull(deliverMsi);
        int queueCount = backend.QueueCount;
        ushort maxSize = backend.MaxQueueSize;
        if (queueCount is < 1 or > VirtioPciLayout.MaxQueues)
        {
            throw new ArgumentOutOfRangeException(nameof(backend), queueCount, $"a virtio-pci device has 1 to {VirtioPciLayout.MaxQueues} queues");
        }

        if (maxSize == 0 || maxSize > 32768 || !ushort.IsPow2(maxSize))
        {
            throw new ArgumentOutOfRangeException(nameof(backend), maxSize, "the maximum queue size must be a power of two up to 32768");
        }

        if (backend.ConfigSize > VirtioPciLayout.RegionSize)
        {
            throw new ArgumentOutOfRangeException(nameof(backend), backend.ConfigSize, "the device configuration does not fit its 4 KiB region");
        }

        _backend = backend;
        _deviceFeatures = (backend.DeviceFeatures | VirtioTransportFeatures.Version1) & ~VirtioTransportFeatures.Unsupported;
        _queues = new VirtioQueueState[queueCount];
        for (int i = 0; i < queueCount; i++)
        {
            _queues[i] = new VirtioQueueState(i, maxSize);
        }

        Msix = new MsixTable(queueCount + 1, deliverMsi);
        SetInterruptPin(1);
        DefineBar(VirtioPciLayout.MsixBar, PciBarKind.Memory32, VirtioPciLayout.MsixBarSize);
        DefineBar(VirtioPciLayout.RegionBar, PciBarKind.Memory64Prefetchable, VirtioPciLayout.RegionBarSize);
        _msixCapability = MsixTable.AddCapabilityTo(this, Msix.VectorCount, VirtioPciLayout.MsixBar, VirtioPciLayout.MsixTableOffset, VirtioPciLayout.MsixPbaOffset);
        AddVirtioCapability(VirtioPciLayout.CommonConfigType, VirtioPciLayout.CommonOffset, VirtioPciLayout.CommonConfigLength);
        AddVirtioCapability(VirtioPciLayout.IsrConfigType, VirtioPciLayout.IsrOffset, 1);
        if (backend.ConfigSize > 0)
        {
            AddVirtioCapability(VirtioPciLayout.DeviceConfigType, VirtioPciLayout.DeviceOffset, backend.ConfigSize);
        }

        AddVirtioCapability(VirtioPciLayout.NotifyConfigType, VirtioPciLayout.NotifyOffset, (uint)queueCount * VirtioPciLayout.NotifyOffMultiplier,
            VirtioPciLayout.NotifyOffMultiplier);
        ResetRegisters();
    }

    /// <summary>The MSI-X vectors: 0..QueueCount-1 are free for the driver to assign, as is the last.</summary>
    public MsixTable Msix { get; }

    /// <summary>The INTx line (the machine sets it to <c>PcPlatform.PciInterrupt(slot, 0)</c> once attached).</summary>
    public IInterruptLine? InterruptLine { get; set; }

    public int QueueCount => _queues.Length;

    /// <summary>The features offered to the driver: the backend's plus VERSION_1, minus what the transport lacks.</summary>
    public ulong DeviceFeatures => _deviceFeatures;

    /// <summary>Puts BAR 1 (MSI-X) and BAR 4 (virtio structures) on <paramref name="mmio"/> at the addresses they were assigned.</summary>
    public void MapBars(MmioBus mmio, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        PciBarRegion.Map(mmio, this, VirtioPciLayout.MsixBar, new MsixBar(Msix, VirtioPciLayout.MsixTableOffset, VirtioPciLayout.MsixPbaOffset), $"{name}-msix");
        PciBarRegion.Map(mmio, this, VirtioPciLayout.RegionBar, new VirtioPciRegions(this), $"{name}-virtio");
    }

    /// <summary>A guest read of BAR 4 at <paramref name="offset"/> (the regions are 4 KiB apart; gaps read zero).</summary>
    public void ReadRegions(ulong offset, Span<byte> destination)
    {
        ulong within = offset % VirtioPciLayout.RegionSize;
        switch (offset / VirtioPciLayout.RegionSize)
        {
            case VirtioPciLayout.CommonOffset / VirtioPciLayout.RegionSize:
                ReadCommon(within, destination);
                break;
            case VirtioPciLayout.IsrOffset / VirtioPciLayout.RegionSize:
                ReadIsr(within, destination);
                break;
            case VirtioPciLayout.DeviceOffset / VirtioPciLayout.RegionSize:
                ReadDeviceConfig(within, destination);
                break;
            default:
                destination.Clear();
                break;
        }
    }

    /// <summary>A guest write of BAR 4 at <paramref name="offset"/>.</summary>
    public void WriteRegions(ulong offset, ReadOnlySpan<byte> source)
    {
        ulong within = offset % VirtioPciLayout.RegionSize;
        switch (offset / VirtioPciLayout.RegionSize)
        {
            case VirtioPciLayout.CommonOffset / VirtioPciLayout.RegionSize:
                WriteCommon(within, source);
                break;
            case VirtioPciLayout.DeviceOffset / VirtioPciLayout.RegionSize:
                WriteDeviceConfig(within, source);
                break;
            case VirtioPciLayout.NotifyOffset / VirtioPciLayout.RegionSize:
                WriteNotify(within, source);
                break;
            default:
                // The ISR is read-only and the gaps ignore writes.
                break;
        }
    }

    protected override void OnConfigWritten(int offset, int size)
    {
        Msix.ControlWritten((ushort)ReadConfig(_msixCapability + 2, 2));
        UpdateInterruptLine();
    }

    private static ushort DeviceIdOf(IVirtioDeviceBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (backend.DeviceType is < 1 or > 0xFF)
        {
            throw new ArgumentOutOfRangeException(nameof(backend), backend.DeviceType, "not a virtio device type");
        }

        return (ushort)(VirtioPciLayout.FirstModernDeviceId + backend.DeviceType);
    }

    /// <summary>QEMU's class codes: network, SCSI storage for block/scsi, other communication for console, other storage for fs, otherwise "other".</summary>
    private static uint ClassCodeOf(int deviceType) => deviceType switch
    {
        1 => 0x02_0000,
        2 or 8 => 0x01_0000,
        3 => 0x07_8000,
        16 => 0x03_8000,
        18 => 0x09_8000,
        26 => 0x01_8000,
        _ => 0x00_FF00,
    };

    /// <summary>A struct virtio_pci_cap (plus notify_off_multiplier for the notify structure) pointing into BAR 4.</summary>
    private void AddVirtioCapability(byte type, ulong offset, uint length, uint? multiplier = null)
    {
        Span<byte> body = stackalloc byte[multiplier is null ? 14 : 18];
        body[0] = (byte)(body.Length + 2);
        body[1] = type;
        body[2] = VirtioPciLayout.RegionBar;
        BinaryPrimitives.WriteUInt32LittleEndian(body[6..], (uint)offset);
        BinaryPrimitives.WriteUInt32LittleEndian(body[10..], length);
        if (multiplier is { } m)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(body[14..], m);
        }

        AddCapability(VirtioPciLayout.VendorCapabilityId, body);
    }

    private void ReadDeviceConfig(ulong offset, Span<byte> destination)
    {
        destination.Clear();
        uint size = _backend.ConfigSize;
        if (offset < size)
        {
            int inside = (int)Math.Min((ulong)destination.Length, size - offset);
            _backend.ReadConfig((uint)offset, destination[..inside]);
        }
    }

    private void WriteDeviceConfig(ulong offset, ReadOnlySpan<byte> source)
    {
        uint size = _backend.ConfigSize;
        if (offset < size && source.Length <= 8)
        {
            int inside = (int)Math.Min((ulong)source.Length, size - offset);
            _backend.WriteConfig((uint)offset, source[..inside]);
        }
    }

    private void WriteNotify(ulong offset, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty || offset % VirtioPciLayout.NotifyOffMultiplier != 0)
        {
            return;
        }

        ulong index = offset / VirtioPciLayout.NotifyOffMultiplier;
        if (index < (ulong)_queues.Length && _queues[index].Enabled && (Status & VirtioDeviceStatus.DriverOk) != 0 && (Status & VirtioDeviceStatus.NeedsReset) == 0)
        {
            _backend.Notify((int)index);
        }
    }
}
