namespace Emulator.Platform.Tests;

/// <summary>An interrupt line that remembers its level and every change.</summary>
internal sealed class RecordingLine : IInterruptLine
{
    public bool Level { get; private set; }

    public int Changes { get; private set; }

    public void Set(bool level)
    {
        if (level != Level)
        {
            Changes++;
        }

        Level = level;
    }
}
