namespace Emulator.Platform;

/// <summary>
/// One device output driving several controller inputs: an ISA IRQ goes to both the 8259 and the
/// IOAPIC (IRQ0 to PIC input 0 and IOAPIC GSI 2, as the MADT's override says).
/// </summary>
public sealed class InterruptFanOut : IInterruptLine
{
    private readonly IInterruptLine[] _targets;

    public InterruptFanOut(params IInterruptLine[] targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        foreach (IInterruptLine target in targets)
        {
            ArgumentNullException.ThrowIfNull(target);
        }

        _targets = [.. targets];
    }

    public void Set(bool level)
    {
        foreach (IInterruptLine target in _targets)
        {
            target.Set(level);
        }
    }
}
