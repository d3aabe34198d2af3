namespace Emulator.Chardev.Tests;

/// <summary>Counts an event's occurrences and lets a test wait for the n-th one.</summary>
internal sealed class EventLatch
{
    private readonly object _gate = new();
    private int _count;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public void Set()
    {
        lock (_gate)
        {
            _count++;
            Monitor.PulseAll(_gate);
        }
    }

    public void WaitFor(int count)
    {
        lock (_gate)
        {
            long deadline = Environment.TickCount64 + Timeouts.Milliseconds;
            while (_count < count)
            {
                int left = (int)(deadline - Environment.TickCount64);
                Assert.True(left > 0, $"timed out waiting for event #{count}, saw {_count}");
                Monitor.Wait(_gate, left);
            }
        }
    }
}
