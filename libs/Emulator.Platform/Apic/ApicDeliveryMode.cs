namespace Emulator.Platform;

/// <summary>The delivery-mode field of LVT entries, the ICR and IOAPIC redirection entries (bits 10:8).</summary>
public enum ApicDeliveryMode
{
    Fixed = 0,
    LowestPriority = 1,
    Smi = 2,
    Nmi = 4,
    Init = 5,
    StartUp = 6,
    ExtInt = 7,
}
