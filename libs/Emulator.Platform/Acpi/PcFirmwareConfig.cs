namespace Emulator.Platform;

/// <summary>
/// What the firmware tables describe of the <c>pc</c> machine: its CPUs, interrupt controllers,
/// HPET, PCI window and where the tables go. Defaults are QEMU's <c>pc</c> values.
/// </summary>
public sealed record PcFirmwareConfig
{
    public int CpuCount { get; init; } = 1;

    public uint LocalApicAddress { get; init; } = 0xFEE0_0000;

    public byte IoApicId { get; init; }

    public uint IoApicAddress { get; init; } = 0xFEC0_0000;

    public uint HpetAddress { get; init; } = 0xFED0_0000;

    /// <summary>The low 32 bits of the HPET's capabilities register (QEMU: vendor 8086, legacy route, 64-bit, 3 timers, rev 1).</summary>
    public uint HpetEventTimerBlockId { get; init; } = 0x8086_A201;

    /// <summary>The PCI MMIO window below 4 GiB (inclusive end), up to the IOAPIC.</summary>
    public uint PciMmioBase { get; init; } = (uint)RamLayout.LowMemoryLimit;

    public uint PciMmioEnd { get; init; } = 0xFEBF_FFFF;

    /// <summary>
    /// virtio-mmio transports to declare in the DSDT (LNRO0005, as QEMU's microvm): Debian's kernel
    /// cannot take them from the command line, only from ACPI.
    /// </summary>
    public IReadOnlyList<VirtioMmioDeclaration> VirtioMmioDevices { get; init; } = [];

    /// <summary>The COM ports the DSDT declares, by index (0: COM1 … 3: COM4; <see cref="PcSerialPorts"/>).</summary>
    public IReadOnlyList<int> SerialPorts { get; init; } = [0, 1];

    /// <summary>Where the tables are placed: a 16-byte aligned address in the BIOS area Linux scans for the RSDP and the MP floating pointer.</summary>
    public uint TablesAddress { get; init; } = 0xF_0000;

    /// <summary>The size of the area at <see cref="TablesAddress"/> (e820 reserves 0xF0000-0xFFFFF).</summary>
    public int TablesMaxSize { get; init; } = 0x1_0000;
}
