using System.Buffers.Binary;
using L = Emulator.Platform.VirtioPciLayout;

namespace Emulator.Platform;

/// <summary>The common configuration structure (virtio 1.2, 4.1.4.3) and the device status state machine (2.1, 3.1).</summary>
public sealed partial class VirtioPciFunction
{
    private uint _deviceFeatureSelect;
    private uint _driverFeatureSelect;
    private ulong _driverFeatures;
    private ushort _configVector;
    private ushort _queueSelect;
    private byte _isr;

    public byte Status { get; private set; }

    /// <summary>Bumped on every configuration change, so a driver reading several fields sees a torn read.</summary>
    public byte ConfigGeneration { get; private set; }

    /// <summary>The features the driver wrote (what it accepted once FEATURES_OK reads back set).</summary>
    public ulong DriverFeatures => _driverFeatures;

    /// <summary>Queue <paramref name="index"/> as the driver set it up.</summary>
    public VirtioQueueConfig Queue(int index) => _queues[index].ToConfig();

    public bool IsQueueEnabled(int index) => _queues[index].Enabled;

    /// <summary>
    /// A machine reset (vCPU thread, the guest stopped): the device is reset as if the driver wrote 0 to
    /// device_status (the backend stops its rings and is reset) and the MSI-X table returns to its
    /// power-on state. BAR assignments stay: direct boot has no firmware to assign them again.
    /// </summary>
    public void SystemReset()
    {
        ResetDevice();
        Msix.Reset();
    }

    /// <summary>
    /// The device hit an error it cannot recover from without a reset (a dead backend, rings the backend
    /// refused): sets DEVICE_NEEDS_RESET and, once the driver is running, tells it with a configuration
    /// change interrupt (virtio 1.2, 2.1.2).
    /// </summary>
    public void NeedsReset()
    {
        if ((Status & VirtioDeviceStatus.NeedsReset) != 0)
        {
            return;
        }

        Status |= VirtioDeviceStatus.NeedsReset;
        if ((Status & VirtioDeviceStatus.DriverOk) != 0)
        {
            ConfigChanged();
        }
    }

    private void ReadCommon(ulong offset, Span<byte> destination)
    {
        Span<byte> registers = stackalloc byte[L.CommonConfigLength];
        SnapshotCommon(registers);
        for (int i = 0; i < destination.Length; i++)
        {
            ulong at = offset + (ulong)i;
            destination[i] = at < (ulong)registers.Length ? registers[(int)at] : (byte)0;
        }
    }

    private void SnapshotCommon(Span<byte> r)
    {
        ulong offered = _deviceFeatureSelect switch
        {
            0 => (uint)_deviceFeatures,
            1 => _deviceFeatures >> 32,
            _ => 0,
        };
        ulong accepted = _driverFeatureSelect switch
        {
            0 => (uint)_driverFeatures,
            1 => _driverFeatures >> 32,
            _ => 0,
        };
        BinaryPrimitives.WriteUInt32LittleEndian(r[L.DeviceFeatureSelect..], _deviceFeatureSelect);
        BinaryPrimitives.WriteUInt32LittleEndian(r[L.DeviceFeature..], (uint)offered);
        BinaryPrimitives.WriteUInt32LittleEndian(r[L.DriverFeatureSelect..], _driverFeatureSelect);
        BinaryPrimitives.WriteUInt32LittleEndian(r[L.DriverFeature..], (uint)accepted);
        BinaryPrimitives.WriteUInt16LittleEndian(r[L.ConfigMsixVector..], _configVector);
        BinaryPrimitives.WriteUInt16LittleEndian(r[L.NumQueues..], (ushort)_queues.Length);
        r[L.DeviceStatus] = Status;
        r[L.ConfigGeneration] = ConfigGeneration;
        BinaryPrimitives.WriteUInt16LittleEndian(r[L.QueueSelect..], _queueSelect);

        // A queue_select past num_queues reads queue_size 0: "no such queue" (4.1.4.3.2).
        if (SelectedQueue is { } q)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(r[L.QueueSize..], q.Size);
            BinaryPrimitives.WriteUInt16LittleEndian(r[L.QueueMsixVector..], q.MsixVector);
            BinaryPrimitives.WriteUInt16LittleEndian(r[L.QueueEnable..], q.Enabled ? (ushort)1 : (ushort)0);
            BinaryPrimitives.WriteUInt16LittleEndian(r[L.QueueNotifyOff..], (ushort)q.Index);
            BinaryPrimitives.WriteUInt64LittleEndian(r[L.QueueDesc..], q.DescriptorTable);
            BinaryPrimitives.WriteUInt64LittleEndian(r[L.QueueDriver..], q.DriverArea);
            BinaryPrimitives.WriteUInt64LittleEndian(r[L.QueueDevice..], q.DeviceArea);
            BinaryPrimitives.WriteUInt16LittleEndian(r[L.QueueNotifyData..], (ushort)q.Index);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(r[L.QueueMsixVector..], L.NoVector);
        }
    }

    private VirtioQueueState? SelectedQueue => _queueSelect < _queues.Length ? _queues[_queueSelect] : null;

    /// <summary>Queue fields are the driver's to set only before the queue is enabled and before DRIVER_OK.</summary>
    private VirtioQueueState? EditableQueue =>
        SelectedQueue is { Enabled: false } q && (Status & (VirtioDeviceStatus.DriverOk | VirtioDeviceStatus.NeedsReset)) == 0 ? q : null;

    /// <summary>Only accesses of a field's own width (64-bit fields also as two 32-bit halves) write; anything else is dropped.</summary>
    private void WriteCommon(ulong offset, ReadOnlySpan<byte> source)
    {
        if (offset >= L.CommonConfigLength || source.Length is not (1 or 2 or 4 or 8))
        {
            return;
        }

        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        source.CopyTo(bytes);
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        switch ((int)offset, source.Length)
        {
            case (L.DeviceFeatureSelect, 4):
                _deviceFeatureSelect = (uint)value;
                break;
            case (L.DriverFeatureSelect, 4):
                _driverFeatureSelect = (uint)value;
                break;
            case (L.DriverFeature, 4):
                WriteDriverFeatures((uint)value);
                break;
            case (L.ConfigMsixVector, 2):
                _configVector = ValidVector((ushort)value);
                break;
            case (L.DeviceStatus, 1):
                WriteStatus((byte)value);
                break;
            case (L.QueueSelect, 2):
                _queueSelect = (ushort)value;
                break;
            case (L.QueueSize, 2):
                if (EditableQueue is { } sized && (ushort)value != 0 && ushort.IsPow2((ushort)value) && (ushort)value <= sized.MaxSize)
                {
                    sized.Size = (ushort)value;
                }

                break;
            case (L.QueueMsixVector, 2):
                if (SelectedQueue is { } vectored)
                {
                    vectored.MsixVector = ValidVector((ushort)value);
                }

                break;
            case (L.QueueEnable, 2):
                // Writing 0 is not how a queue is disabled (that is queue_reset, not offered); misaligned rings stay disabled.
                if (value == 1 && EditableQueue is { IsAligned: true } enabled)
                {
                    enabled.Enabled = true;
                }

                break;
            default:
                WriteQueueAddress((int)offset, source.Length, value);
                break;
        }
    }

    private void WriteQueueAddress(int offset, int size, ulong value)
    {
        if (EditableQueue is not { } q || offset < L.QueueDesc || offset >= L.QueueNotifyData)
        {
            return;
        }

        int field = L.QueueDesc + ((offset - L.QueueDesc) & ~7);
        int half = (offset - L.QueueDesc) & 7;
        ulong current = field switch
        {
            L.QueueDesc => q.DescriptorTable,
            L.QueueDriver => q.DriverArea,
            _ => q.DeviceArea,
        };
        ulong next;
        if (size == 8 && half == 0)
        {
            next = value;
        }
        else if (size == 4 && half == 0)
        {
            next = (current & 0xFFFF_FFFF_0000_0000) | (uint)value;
        }
        else if (size == 4 && half == 4)
        {
            next = (current & 0xFFFF_FFFF) | (value << 32);
        }
        else
        {
            return;
        }

        switch (field)
        {
            case L.QueueDesc:
                q.DescriptorTable = next;
                break;
            case L.QueueDriver:
                q.DriverArea = next;
                break;
            default:
                q.DeviceArea = next;
                break;
        }
    }

    /// <summary>Features are fixed once FEATURES_OK is set; only the two defined halves exist.</summary>
    private void WriteDriverFeatures(uint value)
    {
        if ((Status & VirtioDeviceStatus.FeaturesOk) != 0 || _driverFeatureSelect > 1)
        {
            return;
        }

        int shift = (int)_driverFeatureSelect * 32;
        _driverFeatures = (_driverFeatures & ~(0xFFFF_FFFFUL << shift)) | ((ulong)value << shift);
    }

    /// <summary>
    /// 0 resets. Otherwise status bits only accumulate (the driver must not clear one, 2.1.2); FEATURES_OK
    /// sticks only for a subset of the offered features with VERSION_1 (3.1.1), and DRIVER_OK only after
    /// FEATURES_OK with at least one enabled queue, when the backend starts the queues.
    /// </summary>
    private void WriteStatus(byte value)
    {
        if (value == 0)
        {
            ResetDevice();
            return;
        }

        byte old = Status;
        byte next = (byte)(old | (value & VirtioDeviceStatus.DriverBits));
        if ((next & ~old & VirtioDeviceStatus.FeaturesOk) != 0 && !FeaturesAcceptable)
        {
            next = (byte)(next & ~VirtioDeviceStatus.FeaturesOk);
        }

        bool start = (next & ~old & VirtioDeviceStatus.DriverOk) != 0;
        if (start && ((next & VirtioDeviceStatus.FeaturesOk) == 0 || (old & VirtioDeviceStatus.NeedsReset) != 0))
        {
            next = (byte)(next & ~VirtioDeviceStatus.DriverOk);
            start = false;
        }

        Status = next;
        if (start)
        {
            VirtioQueueConfig[] enabled = [.. _queues.Where(q => q.Enabled).Select(q => q.ToConfig())];
            if (enabled.Length == 0)
            {
                NeedsReset();
                return;
            }

            _backend.QueuesReady(_driverFeatures, enabled);
        }
    }

    private bool FeaturesAcceptable =>
        (_driverFeatures & ~_deviceFeatures) == 0 && (_driverFeatures & VirtioTransportFeatures.Version1) != 0;

    /// <summary>Out-of-range vectors read back as NO_VECTOR, telling the driver the mapping failed (4.1.5.1.2).</summary>
    private ushort ValidVector(ushort vector) => vector < Msix.VectorCount ? vector : L.NoVector;

    private void ResetDevice()
    {
        _backend.Reset();
        ResetRegisters();
    }

    private void ResetRegisters()
    {
        Status = 0;
        _deviceFeatureSelect = 0;
        _driverFeatureSelect = 0;
        _driverFeatures = 0;
        _configVector = L.NoVector;
        _queueSelect = 0;
        foreach (VirtioQueueState q in _queues)
        {
            q.Reset();
        }

        _isr = 0;
        UpdateInterruptLine();
    }
}
