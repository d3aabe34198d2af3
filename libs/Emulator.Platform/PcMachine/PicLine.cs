namespace Emulator.Platform;

/// <summary>ISA IRQ input of whichever <see cref="DualPic"/> the platform has now (it is rebuilt on system reset).</summary>
internal sealed class PicLine(Func<DualPic> pic, int irq) : IInterruptLine
{
    public void Set(bool level) => pic().Input(irq).Set(level);
}
