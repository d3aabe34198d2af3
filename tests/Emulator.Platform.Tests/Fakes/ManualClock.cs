using Emulator.Platform;

namespace Emulator.Platform.Tests;

/// <summary>A device clock the test moves by hand; due timers fire in deadline order inside <see cref="Advance"/>.</summary>
internal sealed class ManualClock : IDeviceClock
{
    private readonly List<ManualTimer> _timers = [];

    public long Now { get; private set; }

    public IDeviceTimer CreateTimer(Action expired)
    {
        var timer = new ManualTimer(expired);
        _timers.Add(timer);
        return timer;
    }

    /// <summary>Moves time forward by <paramref name="nanoseconds"/>, firing each due timer at its own deadline.</summary>
    public void Advance(long nanoseconds)
    {
        long target = Now + nanoseconds;
        for (int guard = 0; ; guard++)
        {
            // A device that keeps re-arming in the past would hang the vCPU: fail loudly instead.
            Assert.True(guard < 1_000_000, "a timer re-armed itself at a past deadline forever");
            ManualTimer? next = null;
            foreach (var t in _timers)
            {
                if (t.IsArmed && t.Deadline <= target && (next is null || t.Deadline < next.Deadline))
                {
                    next = t;
                }
            }

            if (next is null)
            {
                break;
            }

            Now = Math.Max(Now, next.Deadline);
            next.Fire();
        }

        Now = target;
    }

    public IEnumerable<long> ArmedDeadlines => _timers.Where(t => t.IsArmed).Select(t => t.Deadline);

    private sealed class ManualTimer(Action expired) : IDeviceTimer
    {
        public long Deadline { get; private set; }

        public bool IsArmed { get; private set; }

        public void Arm(long deadline)
        {
            Deadline = deadline;
            IsArmed = true;
        }

        public void Cancel() => IsArmed = false;

        public void Fire()
        {
            IsArmed = false;
            expired();
        }
    }
}
