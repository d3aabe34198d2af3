namespace Emulator.Platform;

/// <summary>
/// The DSDT's PIIX3 ISA bridge (PCI 00:01.0) and the ISA devices behind it, as QEMU's <c>pc</c>
/// declares them: the CMOS RTC (PNP0B00), the i8042 keyboard port (PNP0303) and the COM ports
/// the board has (PNP0501, as QEMU's serial_isa_build_aml: <c>COMn</c> with <c>_UID</c> n and
/// <c>_STA</c> 0x0F; absent ports are not declared). Without them Linux takes its fallbacks:
/// rtc_cmos registers a platform device ("no PNP device found"), i8042 probes the ports directly and the 8250 driver its legacy table. No mouse
/// (PNP0F13) is declared because the i8042 model has no AUX port; the RTC claims the two ports it
/// decodes (QEMU's claims eight), so Linux sees 128 bytes of CMOS.
/// </summary>
public static class PcIsaDevices
{
    /// <param name="serialPorts">The COM ports present, by index (0: COM1 … 3: COM4).</param>
    public static byte[] Build(IReadOnlyList<int> serialPorts)
    {
        ArgumentNullException.ThrowIfNull(serialPorts);
        return Aml.Device("ISA", [.. FixedDevices(), .. serialPorts.Select(SerialPort)]);
    }

    private static byte[][] FixedDevices() =>
    [
        Aml.Name("_ADR", Aml.Integer(((ulong)PciHost.IsaBridgeSlot << 16) | 0)),
        Aml.Device("RTC",
            Aml.Name("_HID", Aml.EisaId("PNP0B00")),
            Aml.Name("_CRS", AmlResource.Template(
                AmlResource.Io(Mc146818Rtc.Range.First, Mc146818Rtc.Range.First, 1, (byte)Mc146818Rtc.Range.Count),
                AmlResource.IrqNoFlags(8)))),
        Aml.Device("KBD",
            Aml.Name("_HID", Aml.EisaId("PNP0303")),
            Aml.Name("_CRS", AmlResource.Template(
                AmlResource.Io(Kbc8042.DataRange.First, Kbc8042.DataRange.First, 1, 1),
                AmlResource.Io(Kbc8042.CommandRange.First, Kbc8042.CommandRange.First, 1, 1),
                AmlResource.IrqNoFlags(1)))),
    ];

    private static byte[] SerialPort(int index)
    {
        ushort basePort = PcSerialPorts.BasePort(index);
        return Aml.Device($"COM{index + 1}",
            Aml.Name("_HID", Aml.EisaId("PNP0501")),
            Aml.Name("_UID", Aml.Integer((ulong)index + 1)),
            Aml.Name("_STA", Aml.Integer(0x0F)),
            Aml.Name("_CRS", AmlResource.Template(
                AmlResource.Io(basePort, basePort, 0, 8),
                AmlResource.IrqNoFlags(PcSerialPorts.Irq(index)))));
    }
}
