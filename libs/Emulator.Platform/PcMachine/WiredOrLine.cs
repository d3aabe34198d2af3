namespace Emulator.Platform;

/// <summary>
/// Several level-triggered devices on one interrupt line (COM1 and COM3 on IRQ 4): each drives its
/// own <see cref="AddInput"/>, and the line is high while any of them is, so one device lowering
/// its output cannot clear another's pending interrupt. The target sees only changes of the OR.
/// </summary>
internal sealed class WiredOrLine(IInterruptLine target)
{
    private int _high;

    /// <summary>A new input, initially low.</summary>
    public IInterruptLine AddInput() => new Input(this);

    private void Change(bool raised)
    {
        bool before = _high > 0;
        _high += raised ? 1 : -1;
        bool after = _high > 0;
        if (before != after)
        {
            target.Set(after);
        }
    }

    private sealed class Input(WiredOrLine line) : IInterruptLine
    {
        private bool _level;

        public void Set(bool level)
        {
            if (level != _level)
            {
                _level = level;
                line.Change(level);
            }
        }
    }
}
