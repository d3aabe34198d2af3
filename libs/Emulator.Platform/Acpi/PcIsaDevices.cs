namespace Emulator.Platform;

/// <summary>
/// The DSDT's PIIX3 ISA bridge (PCI 00:01.0) and the ISA devices behind it, as QEMU's <c>pc</c>
/// declares them: the CMOS RTC (PNP0B00), the i8042 keyboard port (PNP0303) and COM1/COM2
/// (PNP0501). Without them Linux takes its fallbacks: rtc_cmos registers a platform device ("no PNP
/// device found"), i8042 probes the ports directly and the 8250 driver its legacy table. No mouse
/// (PNP0F13) is declared because the i8042 model has no AUX port; the RTC claims the two ports it
/// decodes (QEMU's claims eight), so Linux sees 128 bytes of CMOS.
/// </summary>
public static class PcIsaDevices
{
    public static byte[] Build() => Aml.Device("ISA",
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
        SerialPort("COM1", 1, Uart16550.Com1, Uart16550.Com1Irq),
        SerialPort("COM2", 2, Uart16550.Com2, Uart16550.Com2Irq));

    private static byte[] SerialPort(string name, ulong uid, ushort basePort, int irq) => Aml.Device(name,
        Aml.Name("_HID", Aml.EisaId("PNP0501")),
        Aml.Name("_UID", Aml.Integer(uid)),
        Aml.Name("_CRS", AmlResource.Template(
            AmlResource.Io(basePort, basePort, 0, 8),
            AmlResource.IrqNoFlags(irq))));
}
