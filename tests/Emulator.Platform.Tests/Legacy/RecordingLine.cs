using Emulator.Platform;

namespace Emulator.Platform.Tests.Legacy;

/// <summary>An interrupt line that remembers its level and counts rising edges.</summary>
internal sealed class RecordingLine : IInterruptLine
{
    public bool Level { get; private set; }

    public int RisingEdges { get; private set; }

    public List<bool> History { get; } = [];

    public void Set(bool level)
    {
        if (level && !Level)
        {
            RisingEdges++;
        }

        Level = level;
        History.Add(level);
    }
}
