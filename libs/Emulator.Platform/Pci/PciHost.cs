namespace Emulator.Platform;

/// <summary>
/// The <c>pc</c> machine's PCI host: bus 0 with QEMU's i440FX host bridge (8086:1237) at 00.0 and
/// the PIIX3 ISA bridge (8086:7000, multi-function) at 01.0 and QEMU's PIIX4 power-management
/// function (8086:7113) at 01.3, reached through configuration mechanism #1. <see cref="Register"/> claims 0xCF8 (address, dword) and 0xCFC-0xCFF (data),
/// leaving 0xCF9 to the <see cref="ResetControlRegister"/>.
/// </summary>
public sealed class PciHost
{
    public const ushort AddressPortNumber = 0xCF8;
    public const ushort DataPortNumber = 0xCFC;
    public const int HostBridgeSlot = 0;
    public const int IsaBridgeSlot = 1;
    public const int PowerManagementFunction = 3;

    /// <summary>PIIX4 PMBA: the PM I/O base (bit 0 says I/O space), 64 ports.</summary>
    public const int PmBaseOffset = 0x40;

    /// <summary>PIIX4 PMREGMISC: bit 0 (PMIOSE) enables the PM I/O space.</summary>
    public const int PmMiscOffset = 0x80;

    public PciHost()
    {
        Bus = new PciBus();
        AddressPort = new PciConfigAddressPort();
        DataPort = new PciConfigDataPort(AddressPort, Bus);
        HostBridge = new PciFunction(0x8086, 0x1237, 0x06_0000, revision: 0x02);
        IsaBridge = new PciFunction(0x8086, 0x7000, 0x06_0100) { MultiFunction = true };
        PowerManagement = CreatePowerManagement(AcpiPmDevice.DefaultBase);

        // PIRQ route control A-D: disabled (0x80) as after reset; INTx goes straight to the IOAPIC here.
        IsaBridge.SetConfig(0x60, 4, 0x8080_8080);
        IsaBridge.SetWritable(0x60, 4, 0x8F8F_8F8F);
        Bus.Attach(HostBridgeSlot, 0, HostBridge);
        Bus.Attach(IsaBridgeSlot, 0, IsaBridge);
        Bus.Attach(IsaBridgeSlot, PowerManagementFunction, PowerManagement);
    }

    public PciBus Bus { get; }

    public PciConfigAddressPort AddressPort { get; }

    public PciConfigDataPort DataPort { get; }

    public PciFunction HostBridge { get; }

    public PciFunction IsaBridge { get; }

    /// <summary>
    /// 01.3: names the <see cref="AcpiPmDevice"/> block's ports, so Linux's PIIX4 quirk reserves them
    /// ("claimed by PIIX4 ACPI") and no BAR lands there. Revision 3 (PIIX4E, as QEMU) has no PM-timer
    /// erratum, so Linux reads the timer once per access. PMBA is read-only: the block does not move.
    /// No SMBus base is set (there is no SMBus controller), and no INTx pin: the SCI is ISA IRQ 9.
    /// </summary>
    public PciFunction PowerManagement { get; }

    private static PciFunction CreatePowerManagement(ushort pmBase)
    {
        var pm = new PciFunction(0x8086, 0x7113, 0x06_8000, revision: 0x03);
        pm.SetConfig(PmBaseOffset, 4, (uint)pmBase | 1);
        pm.SetConfig(PmMiscOffset, 1, 1);
        return pm;
    }

    /// <summary>Claims the configuration ports, and 0xCF9 for <paramref name="reset"/> when given.</summary>
    public void Register(IoPortBus ports, ResetControlRegister? reset)
    {
        ports.Register(new PortRange(AddressPortNumber, 1), AddressPort, "pci-conf-address");
        if (reset is not null)
        {
            ports.Register(new PortRange(ResetControlRegister.Port, 1), reset, "piix3-reset-control");
        }

        ports.Register(new PortRange(DataPortNumber, 4), DataPort, "pci-conf-data");
    }
}
