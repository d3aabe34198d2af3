using System.Buffers.Binary;
using Emulator.Cpu;
using L = Emulator.Platform.VirtioPciLayout;

namespace Emulator.Platform.Tests.Pci.Virtio;

/// <summary>
/// The guest side as Linux's virtio_pci_modern driver does it: finds the structures by walking the
/// capability list and decoding BARs, then talks to them through the MMIO bus with each field's width.
/// </summary>
internal sealed class VirtioPciDriver
{
    private readonly PciBus _bus;
    private readonly int _slot;
    private readonly IMmioBus _mmio;

    public VirtioPciDriver(PciBus bus, int slot, IMmioBus mmio)
    {
        _bus = bus;
        _slot = slot;
        _mmio = mmio;

        // pci_enable_device + pci_set_master.
        WriteConfig(PciFunction.CommandOffset, 2, ReadConfig(PciFunction.CommandOffset, 2) | 0x6);
        for (int at = (int)ReadConfig(PciFunction.CapabilityPointerOffset, 1); at != 0; at = (int)ReadConfig(at + 1, 1))
        {
            uint id = ReadConfig(at, 1);
            if (id == L.VendorCapabilityId)
            {
                ulong address = BarAddress((int)ReadConfig(at + 4, 1)) + ReadConfig(at + 8, 4);
                switch (ReadConfig(at + 3, 1))
                {
                    case L.CommonConfigType:
                        Common = address;
                        break;
                    case L.IsrConfigType:
                        Isr = address;
                        break;
                    case L.DeviceConfigType:
                        Device = address;
                        DeviceLength = ReadConfig(at + 12, 4);
                        break;
                    case L.NotifyConfigType:
                        Notify = address;
                        NotifyMultiplier = ReadConfig(at + 16, 4);
                        break;
                }
            }
            else if (id == Platform.MsixTable.CapabilityId)
            {
                MsixControlOffset = at + 2;
                uint table = ReadConfig(at + 4, 4);
                uint pba = ReadConfig(at + 8, 4);
                MsixTable = BarAddress((int)(table & 7)) + (table & ~7u);
                MsixPba = BarAddress((int)(pba & 7)) + (pba & ~7u);
                MsixVectors = (int)(ReadConfig(at + 2, 2) & 0x7FF) + 1;
            }
        }
    }

    public ulong Common { get; }

    public ulong Isr { get; }

    public ulong Device { get; }

    public uint DeviceLength { get; }

    public ulong Notify { get; }

    public uint NotifyMultiplier { get; }

    public ulong MsixTable { get; }

    public ulong MsixPba { get; }

    public int MsixVectors { get; }

    public int MsixControlOffset { get; }

    public uint ReadConfig(int offset, int size) => _bus.ReadConfig(_slot, 0, offset, size);

    public void WriteConfig(int offset, int size, uint value) => _bus.WriteConfig(_slot, 0, offset, size, value);

    public ulong Read(ulong address, int size)
    {
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        _mmio.TryRead(address, bytes[..size]);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    public void Write(ulong address, int size, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        _mmio.TryWrite(address, bytes[..size]);
    }

    public byte Status
    {
        get => (byte)Read(Common + L.DeviceStatus, 1);
        set => Write(Common + L.DeviceStatus, 1, value);
    }

    /// <summary>vp_modern_get_features: the two 32-bit halves.</summary>
    public ulong ReadDeviceFeatures()
    {
        Write(Common + L.DeviceFeatureSelect, 4, 0);
        ulong low = Read(Common + L.DeviceFeature, 4);
        Write(Common + L.DeviceFeatureSelect, 4, 1);
        return low | (Read(Common + L.DeviceFeature, 4) << 32);
    }

    public void WriteDriverFeatures(ulong features)
    {
        Write(Common + L.DriverFeatureSelect, 4, 0);
        Write(Common + L.DriverFeature, 4, (uint)features);
        Write(Common + L.DriverFeatureSelect, 4, 1);
        Write(Common + L.DriverFeature, 4, features >> 32);
    }

    /// <summary>Reset (write 0, wait for 0), ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns whether FEATURES_OK read back set.</summary>
    public bool Negotiate(ulong wanted)
    {
        Status = 0;
        Assert.Equal(0, Status);
        Status = VirtioDeviceStatus.Acknowledge;
        Status = (byte)(Status | VirtioDeviceStatus.Driver);
        ulong offered = ReadDeviceFeatures();
        WriteDriverFeatures(offered & wanted);
        Status = (byte)(Status | VirtioDeviceStatus.FeaturesOk);
        return (Status & VirtioDeviceStatus.FeaturesOk) != 0;
    }

    /// <summary>pci_msix_enable: enable with all vectors masked, program each entry for <paramref name="firstVector"/>+n, unmask.</summary>
    public void EnableMsix(byte firstVector)
    {
        WriteConfig(MsixControlOffset, 2, MsixTableEnableMask);
        for (int n = 0; n < MsixVectors; n++)
        {
            ulong entry = MsixTable + (ulong)(16 * n);
            Write(entry, 4, 0xFEE0_0000);
            Write(entry + 4, 4, 0);
            Write(entry + 8, 4, (uint)(firstVector + n));
            Write(entry + 12, 4, 0);
        }

        WriteConfig(MsixControlOffset, 2, Platform.MsixTable.ControlEnable);
    }

    public void MaskVector(int vector, bool masked) => Write(MsixTable + (ulong)(16 * vector) + 12, 4, masked ? 1u : 0u);

    /// <summary>setup_vq for one queue; returns the size read (0: no such queue) and the vector read back.</summary>
    public (ushort Size, ushort Vector) SetUpQueue(int index, ushort size, ulong desc, ulong driver, ulong device, ushort vector)
    {
        Write(Common + L.QueueSelect, 2, (ulong)index);
        ushort max = (ushort)Read(Common + L.QueueSize, 2);
        if (max == 0)
        {
            return (0, L.NoVector);
        }

        Assert.Equal(0UL, Read(Common + L.QueueEnable, 2));
        Write(Common + L.QueueSize, 2, size);

        // vp_iowrite64_twopart: low half, then high half.
        WriteTwoPart(L.QueueDesc, desc);
        WriteTwoPart(L.QueueDriver, driver);
        WriteTwoPart(L.QueueDevice, device);
        Write(Common + L.QueueMsixVector, 2, vector);
        return ((ushort)Read(Common + L.QueueSize, 2), (ushort)Read(Common + L.QueueMsixVector, 2));
    }

    public void EnableQueue(int index)
    {
        Write(Common + L.QueueSelect, 2, (ulong)index);
        Write(Common + L.QueueEnable, 2, 1);
    }

    public ulong NotifyAddress(int index)
    {
        Write(Common + L.QueueSelect, 2, (ulong)index);
        return Notify + (Read(Common + L.QueueNotifyOff, 2) * NotifyMultiplier);
    }

    public void Kick(int index) => Write(NotifyAddress(index), 2, (ulong)index);

    private const ushort MsixTableEnableMask = Platform.MsixTable.ControlEnable | Platform.MsixTable.ControlFunctionMask;

    private void WriteTwoPart(int field, ulong value)
    {
        Write(Common + (ulong)field, 4, (uint)value);
        Write(Common + (ulong)field + 4, 4, value >> 32);
    }

    private ulong BarAddress(int bar)
    {
        uint low = ReadConfig(PciFunction.FirstBarOffset + (4 * bar), 4);
        ulong address = low & ~0xFu;
        if ((low & 0x6) == 0x4)
        {
            address |= (ulong)ReadConfig(PciFunction.FirstBarOffset + (4 * (bar + 1)), 4) << 32;
        }

        return address;
    }
}
