using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>
/// The Multiple APIC Description Table as QEMU's pc: a local APIC per CPU (ids 0..n-1), one IOAPIC
/// at GSI base 0, ISA IRQ0 overridden to GSI 2, IRQs 5/9/10/11 level active-high, and LINT1 as NMI
/// on every CPU.
/// </summary>
public static class Madt
{
    /// <summary>The ISA IRQs QEMU marks level-triggered active-high (the PCI link and SCI interrupts).</summary>
    public static readonly IReadOnlyList<byte> LevelTriggeredIsaIrqs = [5, 9, 10, 11];

    public const ushort FlagsLevelActiveHigh = 0x000D;

    public static byte[] Build(PcFirmwareConfig config)
    {
        var body = new List<byte>();
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(word, config.LocalApicAddress);
        body.AddRange(word.ToArray());
        body.AddRange([1, 0, 0, 0]); // PCAT_COMPAT: dual 8259s present
        for (int cpu = 0; cpu < config.CpuCount; cpu++)
        {
            body.AddRange([0, 8, (byte)cpu, (byte)cpu, 1, 0, 0, 0]);
        }

        body.AddRange([1, 12, config.IoApicId, 0]);
        BinaryPrimitives.WriteUInt32LittleEndian(word, config.IoApicAddress);
        body.AddRange(word.ToArray());
        body.AddRange([0, 0, 0, 0]);
        body.AddRange(SourceOverride(0, 2, 0));
        foreach (byte irq in LevelTriggeredIsaIrqs)
        {
            body.AddRange(SourceOverride(irq, irq, FlagsLevelActiveHigh));
        }

        body.AddRange([4, 6, 0xFF, 0, 0, 1]); // LAPIC NMI: all processors, conforming, LINT1
        return AcpiTable.Build("APIC", 1, body.ToArray());
    }

    private static byte[] SourceOverride(byte irq, uint gsi, ushort flags) =>
        [2, 10, 0, irq, (byte)gsi, (byte)(gsi >> 8), (byte)(gsi >> 16), (byte)(gsi >> 24), (byte)flags, (byte)(flags >> 8)];
}
