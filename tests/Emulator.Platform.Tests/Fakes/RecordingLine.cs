using Emulator.Platform;

namespace Emulator.Platform.Tests;

/// <summary>An interrupt line that remembers its level, its history, and counts rising edges and changes.</summary>
internal sealed class RecordingLine : IInterruptLine
{
    public bool Level { get; private set; }

    public int RisingEdges { get; private set; }

    public int Changes { get; private set; }

    public List<bool> History { get; } = [];

    public void Set(bool level)
    {
        if (level && !Level)
        {
            RisingEdges++;
        }

        if (level != Level)
        {
            Changes++;
        }

        Level = level;
        History.Add(level);
    }
}
