using Emulator.Memory;

namespace Emulator.Platform;

/// <summary>What the <c>pc</c> machine's devices are built from: RAM, host-side character streams and the machine's callbacks.</summary>
public sealed record PcPlatformOptions
{
    /// <summary>Guest RAM (firmware tables and fw_cfg DMA use it).</summary>
    public required GuestMemory Memory { get; init; }

    /// <summary>How RAM is split around the PCI hole (CMOS and fw_cfg report it).</summary>
    public required RamLayout Layout { get; init; }

    /// <summary>vCPUs; only 1 is supported for now.</summary>
    public int CpuCount { get; init; } = 1;

    /// <summary>Bytes the guest sends on COM1 when <see cref="SerialPorts"/> is null; null: discarded.</summary>
    public Action<byte>? Com1Transmit { get; init; }

    /// <summary>Bytes the guest sends on COM2 when <see cref="SerialPorts"/> is null; null: discarded.</summary>
    public Action<byte>? Com2Transmit { get; init; }

    /// <summary>
    /// The COM ports the board has (at most <see cref="PcSerialPorts.Count"/>; entry <c>i</c> is
    /// COM<c>i + 1</c>): a non-null entry adds that UART, sending the guest's bytes to it; a null entry,
    /// or none, leaves its ports unassigned (QEMU creates isa-serial <c>i</c> only for a <c>-serial</c>
    /// that is not <c>none</c>). Null: COM1 and COM2, with <see cref="Com1Transmit"/> and <see cref="Com2Transmit"/>.
    /// </summary>
    public IReadOnlyList<Action<byte>?>? SerialPorts { get; init; }

    /// <summary>Where port 0xE9 output goes; null: no debug console.</summary>
    public Stream? DebugConsole { get; init; }

    /// <summary>Claim isa-debug-exit at <see cref="IsaDebugExitBase"/>.</summary>
    public bool IsaDebugExit { get; init; }

    public ushort IsaDebugExitBase { get; init; } = Platform.IsaDebugExit.DefaultBase;

    public int IsaDebugExitSize { get; init; } = Platform.IsaDebugExit.DefaultSize;

    /// <summary>The guest asked for a system reset (0xCF9, the 8042, port 0x92). Runs on the vCPU thread.</summary>
    public Action? Reset { get; init; }

    /// <summary>The guest entered S5. Runs on the vCPU thread.</summary>
    public Action? PowerOff { get; init; }

    /// <summary>isa-debug-exit: the emulator's exit status ((value &lt;&lt; 1) | 1). Runs on the vCPU thread.</summary>
    public Action<int>? Exit { get; init; }

    /// <summary>The A20 line changed (true: enabled); null: ignored.</summary>
    public Action<bool>? A20Changed { get; init; }

    /// <summary>virtio-mmio transports the DSDT declares (the machine maps them on <see cref="PcPlatform.Mmio"/>).</summary>
    public IReadOnlyList<VirtioMmioDeclaration> VirtioMmioDevices { get; init; } = [];

    /// <summary>
    /// Write the ACPI/MP tables to RAM at <see cref="PcFirmwareConfig.TablesAddress"/> (what a direct
    /// kernel boot needs); false when a <c>-bios</c> image owns that area and builds its own.
    /// </summary>
    public bool FirmwareTablesInRam { get; init; } = true;

    /// <summary>A monotonic host clock in nanoseconds for the virtual clock; null: the real one (tests inject a manual one).</summary>
    public Func<long>? HostNanoseconds { get; init; }

    /// <summary>Wall time at guest time zero (the RTC); null: now.</summary>
    public DateTimeOffset? WallAtZero { get; init; }
}
