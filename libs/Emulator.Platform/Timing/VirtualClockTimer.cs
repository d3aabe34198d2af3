namespace Emulator.Platform;

/// <summary>
/// A timer on a <see cref="VirtualClock"/>. Re-arming leaves the old queue entry behind; an entry is
/// live only while the timer is armed with that very deadline, and each arming fires at most once.
/// </summary>
internal sealed class VirtualClockTimer : IDeviceTimer
{
    private readonly VirtualClock _clock;
    private readonly Action _expired;

    public VirtualClockTimer(VirtualClock clock, Action expired)
    {
        _clock = clock;
        _expired = expired;
    }

    public bool IsArmed { get; private set; }

    public long Deadline { get; private set; }

    public void Arm(long deadline)
    {
        Deadline = deadline;
        IsArmed = true;
        _clock.Enqueue(this, deadline);
    }

    public void Cancel() => IsArmed = false;

    internal bool IsLive(long deadline) => IsArmed && deadline == Deadline;

    internal void Expire()
    {
        IsArmed = false;
        _expired();
    }
}
