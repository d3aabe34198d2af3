using System.Diagnostics;

namespace Emulator.Platform;

/// <summary>
/// The machine's one clock: guest nanoseconds derived from the host monotonic clock, zero at
/// construction, frozen while <see cref="Pause"/>d (so <c>stop</c>/<c>cont</c> does not make guest
/// time jump), with an earliest-deadline-first timer queue. <see cref="Now"/>, <see cref="Pause"/>
/// and <see cref="Resume"/> are thread-safe; timers (arming, <see cref="RunExpired"/>,
/// <see cref="NextDeadline"/>) belong to the vCPU thread, like the devices that own them.
/// </summary>
public sealed class VirtualClock : IDeviceClock
{
    /// <summary>Callbacks run per <see cref="RunExpired"/> at most: a timer re-armed in the past cannot spin the vCPU thread.</summary>
    public const int MaxCallbacksPerRun = 1024;

    private readonly Func<long> _hostNanoseconds;
    private readonly PriorityQueue<VirtualClockTimer, long> _queue = new();
    private readonly List<VirtualClockTimer> _timers = [];
    private readonly Lock _gate = new();
    private readonly DateTimeOffset _wallAtZero;
    private long _offset;
    private long _pausedAt;
    private bool _paused;

    /// <summary><paramref name="hostNanoseconds"/> (a monotonic host clock in ns) is injectable for tests.</summary>
    public VirtualClock(Func<long>? hostNanoseconds = null, DateTimeOffset? wallAtZero = null)
    {
        _hostNanoseconds = hostNanoseconds ?? HostMonotonicNanoseconds;
        _offset = _hostNanoseconds();
        _wallAtZero = wallAtZero ?? DateTimeOffset.UtcNow;
    }

    public long Now
    {
        get
        {
            lock (_gate)
            {
                return _paused ? _pausedAt : _hostNanoseconds() - _offset;
            }
        }
    }

    /// <summary>Wall time as the guest sees it: the wall clock at creation plus guest time (pauses excluded), for the RTC.</summary>
    public DateTimeOffset WallTime => _wallAtZero.AddTicks(Now / 100);

    public bool IsPaused
    {
        get
        {
            lock (_gate)
            {
                return _paused;
            }
        }
    }

    /// <summary>Freezes guest time (idempotent).</summary>
    public void Pause()
    {
        lock (_gate)
        {
            if (!_paused)
            {
                _pausedAt = _hostNanoseconds() - _offset;
                _paused = true;
            }
        }
    }

    /// <summary>Guest time goes on from where <see cref="Pause"/> froze it (idempotent).</summary>
    public void Resume()
    {
        lock (_gate)
        {
            if (_paused)
            {
                _offset = _hostNanoseconds() - _pausedAt;
                _paused = false;
            }
        }
    }

    public IDeviceTimer CreateTimer(Action expired)
    {
        ArgumentNullException.ThrowIfNull(expired);
        var timer = new VirtualClockTimer(this, expired);
        _timers.Add(timer);
        return timer;
    }

    /// <summary>The earliest armed deadline, or null when no timer is armed (sleep until an interrupt kick).</summary>
    public long? NextDeadline
    {
        get
        {
            DropStale();
            return _queue.TryPeek(out _, out long deadline) ? deadline : null;
        }
    }

    /// <summary>How long a halted vCPU may sleep: until the earliest deadline (zero if due), or null (no timer: until a kick).</summary>
    public TimeSpan? UntilNextDeadline
    {
        get
        {
            if (NextDeadline is not { } deadline)
            {
                return null;
            }

            long wait = deadline - Now;
            return wait <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(1, wait / 100));
        }
    }

    /// <summary>Fires every timer whose deadline has passed, earliest first; returns how many fired.</summary>
    public int RunExpired()
    {
        int fired = 0;
        long now = Now;
        while (fired < MaxCallbacksPerRun)
        {
            DropStale();
            if (!_queue.TryPeek(out VirtualClockTimer? timer, out long deadline) || deadline > now)
            {
                break;
            }

            _queue.Dequeue();
            timer.Expire();
            fired++;
        }

        return fired;
    }

    internal void Enqueue(VirtualClockTimer timer, long deadline)
    {
        // A guest re-programming a timer in a loop leaves stale entries: rebuild before they pile up.
        if (_queue.Count > (2 * _timers.Count) + 64)
        {
            _queue.Clear();
            foreach (VirtualClockTimer live in _timers)
            {
                if (live.IsArmed && live != timer)
                {
                    _queue.Enqueue(live, live.Deadline);
                }
            }
        }

        _queue.Enqueue(timer, deadline);
    }

    /// <summary>Entries waiting in the queue, stale ones included (bounded by the rebuild in <see cref="Enqueue"/>).</summary>
    public int QueuedEntries => _queue.Count;

    // Re-arming or cancelling leaves the old entry behind; it is recognised as stale and skipped.
    private void DropStale()
    {
        while (_queue.TryPeek(out VirtualClockTimer? timer, out long deadline) && !timer.IsLive(deadline))
        {
            _queue.Dequeue();
        }
    }

    private static long HostMonotonicNanoseconds() =>
        (long)((UInt128)(ulong)Stopwatch.GetTimestamp() * 1_000_000_000UL / (ulong)Stopwatch.Frequency);
}
