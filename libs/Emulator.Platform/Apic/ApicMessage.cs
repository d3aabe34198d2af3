namespace Emulator.Platform;

/// <summary>
/// One interrupt message on the APIC bus (an IOAPIC redirection or an IPI): vector, delivery mode,
/// destination (an APIC ID, or a logical mask when <see cref="Logical"/>) and trigger mode.
/// </summary>
public readonly record struct ApicMessage(byte Vector, ApicDeliveryMode Mode, byte Destination, bool Logical, bool LevelTriggered);
