namespace Emulator.Platform;

/// <summary>One virtio-mmio transport for the DSDT: its register window and its IOAPIC input (level, active-high).</summary>
public sealed record VirtioMmioDeclaration(uint BaseAddress, uint Size, uint Gsi);
