using L = Emulator.Platform.VirtioPciLayout;

namespace Emulator.Platform.Tests.Pci.Virtio;

/// <summary>The transport driven the way Linux's virtio_pci_modern driver drives it.</summary>
public sealed class VirtioPciFunctionTests
{
    private const ulong Wanted = FakeVirtioBackend.FeatureB | VirtioTransportFeatures.Version1 | (1UL << 38);

    [Fact]
    public void Identity_and_capabilities_match_a_modern_virtio_device()
    {
        var rig = new VirtioPciRig();
        VirtioPciDriver d = rig.Driver;

        Assert.Equal(0x1AF4u, d.ReadConfig(0, 2));
        Assert.Equal(0x1043u, d.ReadConfig(2, 2));
        Assert.Equal(1u, d.ReadConfig(8, 1));
        Assert.Equal(0x07_8000u, d.ReadConfig(9, 4) & 0xFF_FFFF);
        Assert.Equal(1u, d.ReadConfig(PciFunction.InterruptPinOffset, 1));
        Assert.NotEqual(0UL, d.Common);
        Assert.Equal(d.Common + 0x1000, d.Isr);
        Assert.Equal(d.Common + 0x2000, d.Device);
        Assert.Equal(d.Common + 0x3000, d.Notify);
        Assert.Equal(12u, d.DeviceLength);
        Assert.Equal(4u, d.NotifyMultiplier);
        Assert.Equal(3, d.MsixVectors);
        Assert.Equal(d.MsixTable + 0x800, d.MsixPba);
        Assert.Equal(PciBarKind.Memory64Prefetchable, rig.Function.BarKind(4));
    }

    [Fact]
    public void Probe_negotiates_features_sets_up_queues_and_starts_the_backend()
    {
        var rig = new VirtioPciRig();
        VirtioPciDriver d = rig.Driver;

        Assert.True(d.Negotiate(Wanted));
        Assert.Equal(FakeVirtioBackend.FeatureB | VirtioTransportFeatures.Version1, rig.Function.DriverFeatures);
        Assert.Equal(0UL, d.ReadDeviceFeatures() & (1UL << 38));
        Assert.Equal(1, rig.Backend.Resets);

        d.EnableMsix(0x40);
        d.Write(d.Common + L.ConfigMsixVector, 2, 0);
        Assert.Equal(0UL, d.Read(d.Common + L.ConfigMsixVector, 2));
        Assert.Equal(2UL, d.Read(d.Common + L.NumQueues, 2));
        Assert.Equal(((ushort)128, (ushort)1), d.SetUpQueue(0, 128, 0x1_0000_1000, 0x2000, 0x3000, 1));
        Assert.Equal(((ushort)256, (ushort)2), d.SetUpQueue(1, 256, 0x4000, 0x5000, 0x6000, 2));
        Assert.Equal((ushort)0, d.SetUpQueue(2, 256, 0, 0, 0, 3).Size);
        d.EnableQueue(0);
        d.EnableQueue(1);
        Assert.Empty(rig.Backend.Starts);

        d.Status = (byte)(d.Status | VirtioDeviceStatus.DriverOk);

        Assert.Equal(VirtioDeviceStatus.Acknowledge | VirtioDeviceStatus.Driver | VirtioDeviceStatus.FeaturesOk | VirtioDeviceStatus.DriverOk, d.Status);
        (ulong features, IReadOnlyList<VirtioQueueConfig> queues) = Assert.Single(rig.Backend.Starts);
        Assert.Equal(FakeVirtioBackend.FeatureB | VirtioTransportFeatures.Version1, features);
        Assert.Equal([new VirtioQueueConfig(0, 128, 0x1_0000_1000, 0x2000, 0x3000, 1), new VirtioQueueConfig(1, 256, 0x4000, 0x5000, 0x6000, 2)], queues);
    }

    [Fact]
    public void A_machine_reset_resets_the_device_and_its_msix_table()
    {
        var rig = new VirtioPciRig();
        VirtioPciDriver d = rig.Driver;
        Assert.True(d.Negotiate(Wanted));
        d.EnableMsix(0x40);
        d.SetUpQueue(0, 128, 0x1000, 0x2000, 0x3000, 1);
        d.EnableQueue(0);
        d.Status = (byte)(d.Status | VirtioDeviceStatus.DriverOk);
        int resets = rig.Backend.Resets;

        rig.Function.SystemReset();

        Assert.Equal(resets + 1, rig.Backend.Resets);
        Assert.Equal(0, d.Status);
        Assert.False(rig.Function.IsQueueEnabled(0));
        Assert.Equal(0UL, d.Read(d.MsixTable + 8, 4));
        Assert.Equal(1UL, d.Read(d.MsixTable + 12, 4) & 1);
    }

    [Fact]
    public void Features_ok_does_not_stick_for_unoffered_features_or_without_version_1()
    {
        var rig = new VirtioPciRig();
        rig.Driver.Status = VirtioDeviceStatus.Acknowledge | VirtioDeviceStatus.Driver;
        rig.Driver.WriteDriverFeatures(FakeVirtioBackend.FeatureA | (1UL << 63) | VirtioTransportFeatures.Version1);
        rig.Driver.Status = (byte)(rig.Driver.Status | VirtioDeviceStatus.FeaturesOk);
        Assert.Equal(0, rig.Driver.Status & VirtioDeviceStatus.FeaturesOk);

        rig.Driver.Status = 0;
        Assert.False(rig.Driver.Negotiate(FakeVirtioBackend.FeatureA));

        // DRIVER_OK without FEATURES_OK starts nothing.
        rig.Driver.EnableQueue(0);
        rig.Driver.Status = (byte)(rig.Driver.Status | VirtioDeviceStatus.DriverOk);
        Assert.Equal(0, rig.Driver.Status & VirtioDeviceStatus.DriverOk);
        Assert.Empty(rig.Backend.Starts);
    }

    [Fact]
    public void Driver_features_are_frozen_after_features_ok()
    {
        var rig = new VirtioPciRig();
        Assert.True(rig.Driver.Negotiate(VirtioTransportFeatures.Version1));
        rig.Driver.WriteDriverFeatures(FakeVirtioBackend.FeatureA | VirtioTransportFeatures.Version1);
        Assert.Equal(VirtioTransportFeatures.Version1, rig.Function.DriverFeatures);
    }

    [Fact]
    public void Notify_reaches_the_backend_only_for_enabled_queues_after_driver_ok()
    {
        var rig = Started();
        VirtioPciDriver d = rig.Driver;

        d.Kick(1);
        d.Kick(0);
        d.Write(d.Notify + 2, 2, 0);
        d.Write(d.Notify + 8, 2, 2);
        Assert.Equal([1, 0], rig.Backend.Notifications);

        d.Status = 0;
        d.Kick(0);
        Assert.Equal([1, 0], rig.Backend.Notifications);
        Assert.Equal(2, rig.Backend.Resets);
    }

    [Fact]
    public void Queue_interrupts_go_out_as_msix_on_the_queue_vector()
    {
        var rig = Started();

        rig.Function.Interrupt(1);
        rig.Function.ConfigChanged();

        Assert.Equal([(0xFEE0_0000UL, 0x42u), (0xFEE0_0000UL, 0x40u)], rig.Messages);
        Assert.False(rig.Intx.Level);
        Assert.Equal(0, rig.Function.Isr);
    }

    [Fact]
    public void Masked_vector_sets_its_pba_bit_and_fires_when_unmasked()
    {
        var rig = Started();
        VirtioPciDriver d = rig.Driver;
        d.MaskVector(1, true);

        rig.Function.Interrupt(0);
        Assert.Empty(rig.Messages);
        Assert.Equal(0b10UL, d.Read(d.MsixPba, 8));

        d.MaskVector(1, false);
        Assert.Equal([(0xFEE0_0000UL, 0x41u)], rig.Messages);
        Assert.Equal(0UL, d.Read(d.MsixPba, 8));
    }

    [Fact]
    public void Function_mask_holds_every_vector_until_cleared()
    {
        var rig = Started();
        VirtioPciDriver d = rig.Driver;
        d.WriteConfig(d.MsixControlOffset, 2, MsixTable.ControlEnable | MsixTable.ControlFunctionMask);

        rig.Function.Interrupt(0);
        rig.Function.Interrupt(1);
        Assert.Empty(rig.Messages);

        d.WriteConfig(d.MsixControlOffset, 2, MsixTable.ControlEnable);
        Assert.Equal([(0xFEE0_0000UL, 0x41u), (0xFEE0_0000UL, 0x42u)], rig.Messages);
    }

    [Fact]
    public void Without_msix_interrupts_set_isr_and_raise_intx_until_the_isr_is_read()
    {
        var rig = new VirtioPciRig();
        VirtioPciDriver d = rig.Driver;
        Assert.True(d.Negotiate(Wanted));
        d.SetUpQueue(0, 64, 0x1000, 0x2000, 0x3000, L.NoVector);
        d.EnableQueue(0);
        d.Status = (byte)(d.Status | VirtioDeviceStatus.DriverOk);

        rig.Function.Interrupt(0);
        Assert.True(rig.Intx.Level);
        rig.Function.ConfigChanged();
        Assert.Equal(1UL, d.Read(d.Common + L.ConfigGeneration, 1));

        Assert.Equal(3UL, d.Read(d.Isr, 1));
        Assert.False(rig.Intx.Level);
        Assert.Equal(0UL, d.Read(d.Isr, 1));
        Assert.Empty(rig.Messages);

        // INTx disable in the command register keeps the line low.
        d.WriteConfig(PciFunction.CommandOffset, 2, d.ReadConfig(PciFunction.CommandOffset, 2) | 0x400);
        rig.Function.Interrupt(0);
        Assert.False(rig.Intx.Level);
        Assert.Equal(1UL, d.Read(d.Isr, 1));
    }

    [Fact]
    public void Msix_with_no_vector_sends_nothing()
    {
        var rig = new VirtioPciRig();
        VirtioPciDriver d = rig.Driver;
        Assert.True(d.Negotiate(Wanted));
        d.EnableMsix(0x40);
        d.SetUpQueue(0, 64, 0x1000, 0x2000, 0x3000, L.NoVector);
        d.EnableQueue(0);
        d.Status = (byte)(d.Status | VirtioDeviceStatus.DriverOk);

        rig.Function.Interrupt(0);
        rig.Function.ConfigChanged();

        Assert.Empty(rig.Messages);
        Assert.False(rig.Intx.Level);
    }

    [Fact]
    public void Device_config_reads_and_writes_reach_the_backend_within_its_size()
    {
        var rig = new VirtioPciRig();
        VirtioPciDriver d = rig.Driver;

        Assert.Equal(0xA3A2A1A0UL, d.Read(d.Device, 4));
        Assert.Equal(0xABUL, d.Read(d.Device + 11, 1));
        Assert.Equal(0xABAAUL, d.Read(d.Device + 10, 4));
        Assert.Equal(0UL, d.Read(d.Device + 100, 4));

        d.Write(d.Device + 4, 2, 0x1234);
        d.Write(d.Device + 11, 4, 0xFFFF_FFFF);
        d.Write(d.Device + 200, 4, 0xFFFF_FFFF);
        Assert.Equal(0x1234UL, d.Read(d.Device + 4, 2));
        Assert.Equal(0xFFUL, d.Read(d.Device + 11, 1));
    }

    [Fact]
    public void Bad_queue_programming_is_ignored()
    {
        var rig = new VirtioPciRig(queueCount: 1, maxQueueSize: 128);
        VirtioPciDriver d = rig.Driver;
        Assert.True(d.Negotiate(Wanted));
        d.Write(d.Common + L.QueueSelect, 2, 0);

        d.Write(d.Common + L.QueueSize, 2, 100);
        d.Write(d.Common + L.QueueSize, 2, 256);
        d.Write(d.Common + L.QueueSize, 2, 0);
        Assert.Equal(128UL, d.Read(d.Common + L.QueueSize, 2));

        d.Write(d.Common + L.QueueMsixVector, 2, 7);
        Assert.Equal((ulong)L.NoVector, d.Read(d.Common + L.QueueMsixVector, 2));

        // A misaligned descriptor table keeps the queue disabled.
        d.Write(d.Common + L.QueueDesc, 8, 0x1008);
        d.Write(d.Common + L.QueueEnable, 2, 1);
        Assert.Equal(0UL, d.Read(d.Common + L.QueueEnable, 2));

        // A misplaced or odd-sized write changes nothing.
        d.Write(d.Common + L.QueueDesc + 2, 4, 0xFFFF_FFFF);
        d.Write(d.Common + L.QueueSize, 4, 0x0000_0010);
        d.Write(d.Common + L.QueueDesc, 8, 0x1000);
        Assert.Equal(0x1000UL, d.Read(d.Common + L.QueueDesc, 8));
        Assert.Equal(128UL, d.Read(d.Common + L.QueueSize, 2));

        // An out-of-range queue_select reads size 0 and absorbs writes.
        d.Write(d.Common + L.QueueSelect, 2, 9);
        Assert.Equal(0UL, d.Read(d.Common + L.QueueSize, 2));
        d.Write(d.Common + L.QueueEnable, 2, 1);
        d.Write(d.Common + L.QueueDesc, 8, 0x5000);

        d.EnableQueue(0);
        d.Status = (byte)(d.Status | VirtioDeviceStatus.DriverOk);
        d.Write(d.Common + L.QueueSelect, 2, 0);
        d.Write(d.Common + L.QueueDesc, 8, 0x8000);
        d.Write(d.Common + L.QueueSize, 2, 64);
        Assert.Equal(0x1000UL, d.Read(d.Common + L.QueueDesc, 8));
        Assert.Equal([new VirtioQueueConfig(0, 128, 0x1000, 0, 0, L.NoVector)], Assert.Single(rig.Backend.Starts).Queues);
    }

    [Fact]
    public void Reset_restores_the_initial_registers_and_needs_reset_interrupts_the_driver()
    {
        var rig = Started();
        VirtioPciDriver d = rig.Driver;

        rig.Function.NeedsReset();
        Assert.NotEqual(0, d.Status & VirtioDeviceStatus.NeedsReset);
        Assert.Equal([(0xFEE0_0000UL, 0x40u)], rig.Messages);
        d.Kick(0);
        Assert.Empty(rig.Backend.Notifications);

        d.Status = 0;
        Assert.Equal(0, d.Status);
        Assert.Equal(0UL, rig.Function.DriverFeatures);
        Assert.Equal((ulong)L.NoVector, d.Read(d.Common + L.ConfigMsixVector, 2));
        d.Write(d.Common + L.QueueSelect, 2, 0);
        Assert.Equal(256UL, d.Read(d.Common + L.QueueSize, 2));
        Assert.Equal(0UL, d.Read(d.Common + L.QueueEnable, 2));
        Assert.Equal(0UL, d.Read(d.Common + L.QueueDesc, 8));
        Assert.Equal((ulong)L.NoVector, d.Read(d.Common + L.QueueMsixVector, 2));
    }

    [Fact]
    public void Bars_stop_decoding_when_memory_space_is_disabled()
    {
        var rig = new VirtioPciRig();
        VirtioPciDriver d = rig.Driver;
        Assert.Equal(2UL, d.Read(d.Common + L.NumQueues, 2));

        d.WriteConfig(PciFunction.CommandOffset, 2, 0);
        Assert.Equal(0xFFFFUL, d.Read(d.Common + L.NumQueues, 2));
        d.WriteConfig(PciFunction.CommandOffset, 2, 2);
        Assert.Equal(2UL, d.Read(d.Common + L.NumQueues, 2));
    }

    /// <summary>Probed with MSI-X on vectors 0x40 (config), 0x41 (queue 0), 0x42 (queue 1) and DRIVER_OK set.</summary>
    private static VirtioPciRig Started()
    {
        var rig = new VirtioPciRig();
        VirtioPciDriver d = rig.Driver;
        Assert.True(d.Negotiate(Wanted));
        d.EnableMsix(0x40);
        d.Write(d.Common + L.ConfigMsixVector, 2, 0);
        d.SetUpQueue(0, 256, 0x1000, 0x2000, 0x3000, 1);
        d.SetUpQueue(1, 256, 0x4000, 0x5000, 0x6000, 2);
        d.EnableQueue(0);
        d.EnableQueue(1);
        d.Status = (byte)(d.Status | VirtioDeviceStatus.DriverOk);
        Assert.NotEqual(0, d.Status & VirtioDeviceStatus.DriverOk);
        return rig;
    }
}
