namespace Emulator.Platform.Tests;

/// <summary>A device clock the test advances by hand; due timers fire in <see cref="Advance"/>.</summary>
internal sealed class ManualDeviceClock : IDeviceClock
{
    private readonly List<Timer> _timers = [];

    public long Now { get; private set; }

    public IDeviceTimer CreateTimer(Action expired)
    {
        var timer = new Timer(expired);
        _timers.Add(timer);
        return timer;
    }

    public void Advance(long nanoseconds)
    {
        Now += nanoseconds;
        foreach (Timer timer in _timers.Where(t => t.IsArmed && t.Deadline <= Now).ToList())
        {
            timer.Cancel();
            timer.Expired();
        }
    }

    public IEnumerable<long> ArmedDeadlines => _timers.Where(t => t.IsArmed).Select(t => t.Deadline);

    private sealed class Timer(Action expired) : IDeviceTimer
    {
        public Action Expired { get; } = expired;

        public long Deadline { get; private set; }

        public bool IsArmed { get; private set; }

        public void Arm(long deadline)
        {
            Deadline = deadline;
            IsArmed = true;
        }

        public void Cancel() => IsArmed = false;
    }
}
