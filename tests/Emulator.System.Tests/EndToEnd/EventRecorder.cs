using Emulator.Chardev;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>Collects a chardev server's events (from the client's listener thread) for tests to wait on.</summary>
internal sealed class EventRecorder
{
    private readonly object _lock = new();
    private readonly List<ChardevEvent> _events = [];

    public void Record(ChardevEvent e)
    {
        lock (_lock)
        {
            _events.Add(e);
            Monitor.PulseAll(_lock);
        }
    }

    public IReadOnlyList<ChardevEvent> Snapshot()
    {
        lock (_lock)
        {
            return [.. _events];
        }
    }

    /// <summary>Waits for an event of <paramref name="kind"/>; fails the test after the patience runs out.</summary>
    public ChardevEvent WaitFor(ChardevEventKind kind)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        lock (_lock)
        {
            while (true)
            {
                foreach (ChardevEvent e in _events)
                {
                    if (e.Kind == kind)
                    {
                        return e;
                    }
                }

                TimeSpan left = giveUp - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero, $"no {kind} event; got [{string.Join(", ", _events)}]");
                Monitor.Wait(_lock, left);
            }
        }
    }
}
