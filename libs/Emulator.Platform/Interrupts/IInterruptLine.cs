namespace Emulator.Platform;

/// <summary>
/// One interrupt wire from a device to a controller input (an ISA IRQ, an IOAPIC pin, a LAPIC LINT
/// pin). The device drives the level; an edge-triggered input sees a low-to-high transition, so an
/// edge device pulses (<c>Set(true)</c> then <c>Set(false)</c>). Called on the vCPU thread.
/// </summary>
public interface IInterruptLine
{
    void Set(bool level);
}
