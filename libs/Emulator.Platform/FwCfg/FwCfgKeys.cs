namespace Emulator.Platform;

/// <summary>QEMU's fw_cfg item selectors (include/standard-headers/linux/qemu_fw_cfg.h).</summary>
public static class FwCfgKeys
{
    public const ushort Signature = 0x00;
    public const ushort Id = 0x01;
    public const ushort Uuid = 0x02;
    public const ushort RamSize = 0x03;
    public const ushort NoGraphic = 0x04;
    public const ushort NbCpus = 0x05;
    public const ushort MachineId = 0x06;
    public const ushort KernelAddress = 0x07;
    public const ushort KernelSize = 0x08;
    public const ushort KernelCommandLine = 0x09;
    public const ushort InitrdAddress = 0x0A;
    public const ushort InitrdSize = 0x0B;
    public const ushort BootDevice = 0x0C;
    public const ushort Numa = 0x0D;
    public const ushort BootMenu = 0x0E;
    public const ushort MaxCpus = 0x0F;
    public const ushort KernelEntry = 0x10;
    public const ushort KernelData = 0x11;
    public const ushort InitrdData = 0x12;
    public const ushort CommandLineAddress = 0x13;
    public const ushort CommandLineSize = 0x14;
    public const ushort CommandLineData = 0x15;
    public const ushort SetupAddress = 0x16;
    public const ushort SetupSize = 0x17;
    public const ushort SetupData = 0x18;
    public const ushort FileDirectory = 0x19;
    public const ushort FileFirst = 0x20;

    /// <summary>Selector bit asking for a write (QEMU ignores data-port writes since 2.4).</summary>
    public const ushort WriteChannel = 0x4000;

    /// <summary>Selector bit for the architecture's own items (x86: ACPI tables, e820, ...).</summary>
    public const ushort ArchLocal = 0x8000;
}
