namespace Emulator.Platform;

/// <summary>One IRQ input pin of a <see cref="Pic8259"/>, as a line a device can drive.</summary>
public sealed class PicInput(Pic8259 pic, int irq) : IInterruptLine
{
    public void Set(bool level) => pic.SetInput(irq, level);
}
