using System.Buffers.Binary;
using System.Text;

namespace Emulator.Platform;

/// <summary>
/// The Intel MultiProcessor Specification 1.4 tables, for kernels without ACPI: the 16-byte
/// floating pointer and the configuration table (processors, PCI bus 0 and ISA bus 1, the IOAPIC,
/// ISA IRQs with IRQ0 on pin 2, PCI INTx per <see cref="PciInterruptRouting"/>, ExtINT on LINT0 and
/// NMI on LINT1).
/// </summary>
public static class MpTable
{
    public const int FloatingPointerLength = 16;
    public const byte PciBusId = 0;
    public const byte IsaBusId = 1;

    public static byte[] BuildFloatingPointer(uint configTableAddress)
    {
        var p = new byte[FloatingPointerLength];
        Encoding.ASCII.GetBytes("_MP_", p);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(4), configTableAddress);
        p[8] = 1; // length in 16-byte paragraphs
        p[9] = 4; // spec revision 1.4
        p[10] = AcpiTable.Checksum(p);
        return p;
    }

    public static byte[] BuildConfigTable(PcFirmwareConfig config)
    {
        var entries = new List<byte>();
        int count = 0;
        for (int cpu = 0; cpu < config.CpuCount; cpu++)
        {
            var e = new byte[20];
            e[1] = (byte)cpu;
            e[2] = 0x14; // local APIC version
            e[3] = (byte)(cpu == 0 ? 3 : 1); // enabled, bootstrap processor
            BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(4), 0x0600); // family 6
            BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(8), 0x0201); // FPU, APIC
            entries.AddRange(e);
            count++;
        }

        entries.AddRange([1, PciBusId, .. "PCI   "u8]);
        entries.AddRange([1, IsaBusId, .. "ISA   "u8]);
        count += 2;
        var ioapic = new byte[8];
        ioapic[0] = 2;
        ioapic[1] = config.IoApicId;
        ioapic[2] = (byte)(IoApic.VersionValue & 0xFF);
        ioapic[3] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(ioapic.AsSpan(4), config.IoApicAddress);
        entries.AddRange(ioapic);
        count++;
        for (byte irq = 0; irq < 16; irq++)
        {
            if (irq == 2)
            {
                continue; // the cascade: IRQ0 takes pin 2
            }

            ushort flags = Madt.LevelTriggeredIsaIrqs.Contains(irq) ? (ushort)0x000D : (ushort)0;
            entries.AddRange(Interrupt(3, 0, flags, IsaBusId, irq, config.IoApicId, irq == 0 ? (byte)2 : irq));
            count++;
        }

        for (int slot = 0; slot < 32; slot++)
        {
            for (int pin = 0; pin < 4; pin++)
            {
                // PCI: level-triggered (3 << 2), active-low (3).
                entries.AddRange(Interrupt(3, 0, 0x000F, PciBusId, (byte)((slot << 2) | pin), config.IoApicId,
                    (byte)PciInterruptRouting.Gsi(slot, pin)));
                count++;
            }
        }

        entries.AddRange(Interrupt(4, 3, 0, IsaBusId, 0, 0xFF, 0)); // ExtINT on LINT0
        entries.AddRange(Interrupt(4, 1, 0, IsaBusId, 0, 0xFF, 1)); // NMI on LINT1
        count += 2;

        var t = new byte[44 + entries.Count];
        Encoding.ASCII.GetBytes("PCMP", t);
        BinaryPrimitives.WriteUInt16LittleEndian(t.AsSpan(4), (ushort)t.Length);
        t[6] = 4;
        Encoding.ASCII.GetBytes("EMU     ", t.AsSpan(8, 8));
        Encoding.ASCII.GetBytes("PC          ", t.AsSpan(16, 12));
        BinaryPrimitives.WriteUInt16LittleEndian(t.AsSpan(34), (ushort)count);
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(36), config.LocalApicAddress);
        entries.CopyTo(t, 44);
        t[7] = AcpiTable.Checksum(t);
        return t;
    }

    private static byte[] Interrupt(byte entryType, byte interruptType, ushort flags, byte bus, byte busIrq, byte destination, byte pin) =>
        [entryType, interruptType, (byte)flags, (byte)(flags >> 8), bus, busIrq, destination, pin];
}
