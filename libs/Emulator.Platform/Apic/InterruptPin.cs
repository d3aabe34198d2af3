namespace Emulator.Platform;

/// <summary>An <see cref="IInterruptLine"/> that forwards level changes of one controller input to its owner.</summary>
public sealed class InterruptPin : IInterruptLine
{
    private readonly Action<bool> _changed;

    public InterruptPin(Action<bool> changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        _changed = changed;
    }

    public bool Level { get; private set; }

    public void Set(bool level)
    {
        if (level != Level)
        {
            Level = level;
            _changed(level);
        }
    }
}
