namespace Emulator.Platform;

/// <summary>
/// The <c>pc</c> machine's PCI host: bus 0 with QEMU's i440FX host bridge (8086:1237) at 00.0 and
/// the PIIX3 ISA bridge (8086:7000, multi-function) at 01.0, reached through configuration
/// mechanism #1. <see cref="Register"/> claims 0xCF8 (address, dword) and 0xCFC-0xCFF (data),
/// leaving 0xCF9 to the <see cref="ResetControlRegister"/>.
/// </summary>
public sealed class PciHost
{
    public const ushort AddressPortNumber = 0xCF8;
    public const ushort DataPortNumber = 0xCFC;
    public const int HostBridgeSlot = 0;
    public const int IsaBridgeSlot = 1;

    public PciHost()
    {
        Bus = new PciBus();
        AddressPort = new PciConfigAddressPort();
        DataPort = new PciConfigDataPort(AddressPort, Bus);
        HostBridge = new PciFunction(0x8086, 0x1237, 0x06_0000, revision: 0x02);
        IsaBridge = new PciFunction(0x8086, 0x7000, 0x06_0100) { MultiFunction = true };

        // PIRQ route control A-D: disabled (0x80) as after reset; INTx goes straight to the IOAPIC here.
        IsaBridge.SetConfig(0x60, 4, 0x8080_8080);
        IsaBridge.SetWritable(0x60, 4, 0x8F8F_8F8F);
        Bus.Attach(HostBridgeSlot, 0, HostBridge);
        Bus.Attach(IsaBridgeSlot, 0, IsaBridge);
    }

    public PciBus Bus { get; }

    public PciConfigAddressPort AddressPort { get; }

    public PciConfigDataPort DataPort { get; }

    public PciFunction HostBridge { get; }

    public PciFunction IsaBridge { get; }

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
