namespace Emulator.Platform;

/// <summary>
/// How PCI INTx reaches the IOAPIC on this machine, shared by the DSDT's <c>_PRT</c>, the MP table
/// and <see cref="PciBus"/>: slot S pin P (0 = INTA) drives GSI 16 + ((S + P) mod 8), level-triggered,
/// active-low (the PCI default, so no MADT override is needed). Direct GSIs need no PIIX link
/// devices (LNKA-D, PIRQ registers), never share a pin with an ISA device, and spread slots over 8 pins.
/// </summary>
public static class PciInterruptRouting
{
    public const int FirstGsi = 16;
    public const int GsiCount = 8;

    /// <summary>The IOAPIC needs pins up to this GSI (QEMU's IOAPIC has 24).</summary>
    public const int LastGsi = FirstGsi + GsiCount - 1;

    public static int Gsi(int slot, int pin)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slot, 31);
        ArgumentOutOfRangeException.ThrowIfNegative(pin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pin, 3);
        return FirstGsi + ((slot + pin) % GsiCount);
    }
}
