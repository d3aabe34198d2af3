namespace Emulator.Platform;

/// <summary>
/// The DSDT of the <c>pc</c> machine: <c>\_S5</c> with the SLP_TYP <see cref="AcpiPmDevice"/>
/// powers off on, and the PCI root bridge (PNP0A03) with its resources and a <c>_PRT</c> routing
/// every slot's INTA-D straight to IOAPIC GSIs (<see cref="PciInterruptRouting"/>), and under it the
/// PIIX3 ISA bridge with the ISA devices the machine has (<see cref="PcIsaDevices"/>).
/// Revision 2: integers are 64-bit.
/// </summary>
public static class PcDsdt
{
    public static byte[] Build(PcFirmwareConfig config) => AcpiTable.Build("DSDT", 2, BuildAml(config));

    /// <summary>The AML body (the definition block without its header).</summary>
    public static byte[] BuildAml(PcFirmwareConfig config)
    {
        ulong s5 = AcpiPmDevice.S5SleepType;
        byte[] sleepS5 = Aml.Name("\\_S5", Aml.Package(Aml.Integer(s5), Aml.Integer(s5), Aml.Integer(0), Aml.Integer(0)));
        byte[] resources = AmlResource.Template(
            AmlResource.WordBusNumber(0, 0xFF),
            AmlResource.Io(0xCF8, 0xCF8, 1, 8),
            AmlResource.WordIo(0x0000, 0x0CF7),
            AmlResource.WordIo(0x0D00, 0xFFFF),
            AmlResource.DWordMemory(0x000A_0000, 0x000B_FFFF, cacheable: true),
            AmlResource.DWordMemory(config.PciMmioBase, config.PciMmioEnd, cacheable: false));
        byte[] pci = Aml.Device("PCI0",
            Aml.Name("_HID", Aml.EisaId("PNP0A03")),
            Aml.Name("_UID", Aml.Integer(0)),
            Aml.Name("_ADR", Aml.Integer(0)),
            Aml.Name("_CRS", resources),
            Aml.Name("_PRT", RoutingTable()),
            PcIsaDevices.Build(config.SerialPorts));
        var devices = new List<byte[]> { pci };
        for (int i = 0; i < config.VirtioMmioDevices.Count; i++)
        {
            VirtioMmioDeclaration virtio = config.VirtioMmioDevices[i];
            devices.Add(Aml.Device($"VR{i:X2}",
                Aml.Name("_HID", Aml.String("LNRO0005")),
                Aml.Name("_UID", Aml.Integer((ulong)i)),
                Aml.Name("_CCA", Aml.Integer(1)),
                Aml.Name("_CRS", AmlResource.Template(
                    AmlResource.Memory32Fixed(true, virtio.BaseAddress, virtio.Size),
                    AmlResource.Interrupt(levelTriggered: true, activeLow: false, shared: false, virtio.Gsi)))));
        }

        return Aml.Concat(sleepS5, Aml.Scope("\\_SB", [.. devices]));
    }

    private static byte[] RoutingTable()
    {
        var entries = new List<byte[]>();
        for (int slot = 0; slot < 32; slot++)
        {
            for (int pin = 0; pin < 4; pin++)
            {
                entries.Add(Aml.Package(
                    Aml.Integer(((ulong)slot << 16) | 0xFFFF),
                    Aml.Integer((ulong)pin),
                    Aml.Integer(0),
                    Aml.Integer((ulong)PciInterruptRouting.Gsi(slot, pin))));
            }
        }

        return Aml.Package([.. entries]);
    }
}
