using System.Diagnostics;

namespace Emulator.VhostUser;

/// <summary>
/// One step of an adaptive busy-wait: yield the CPU (so a peer thread sharing it can post the
/// next request), and notice contention. If a yield takes long, another runnable thread held the
/// CPU (a busy machine): spinning then only delays us by whole scheduler slices, while a blocked
/// waiter gets wake-up preemption. So after a slow yield, spinning is off for a while and the
/// caller blocks at once. One instance per waiting thread; not thread-safe.
/// </summary>
public sealed class YieldingSpin
{
    private static readonly long SlowYieldTicks = Stopwatch.Frequency / 20_000;   // 50 us
    private static readonly long BackOffTicks = Stopwatch.Frequency / 10;         // 100 ms

    private long _spinAllowedFrom;

    /// <summary>False while backing off after contention: block instead of spinning.</summary>
    public bool MaySpin => Stopwatch.GetTimestamp() >= _spinAllowedFrom;

    /// <summary>Yields once; returns false (and backs off) when the yield showed contention.</summary>
    public bool Yield()
    {
        long before = Stopwatch.GetTimestamp();
        Thread.Yield();
        long after = Stopwatch.GetTimestamp();
        if (after - before < SlowYieldTicks)
        {
            return true;
        }

        _spinAllowedFrom = after + BackOffTicks;
        return false;
    }
}
