namespace Emulator.Platform;

/// <summary>
/// The clock as one generation of rebuilt devices sees it: on a system reset the generation is
/// <see cref="Retire"/>d, which cancels its timers for good, so the replaced devices fall silent.
/// </summary>
internal sealed class GenerationClock(IDeviceClock clock) : IDeviceClock
{
    private readonly List<GenerationTimer> _timers = [];

    public bool Retired { get; private set; }

    public long Now => clock.Now;

    public IDeviceTimer CreateTimer(Action expired)
    {
        var timer = new GenerationTimer(this, clock.CreateTimer(expired));
        _timers.Add(timer);
        return timer;
    }

    public void Retire()
    {
        Retired = true;
        foreach (GenerationTimer timer in _timers)
        {
            timer.Inner.Cancel();
        }
    }

    private sealed class GenerationTimer(GenerationClock owner, IDeviceTimer inner) : IDeviceTimer
    {
        public IDeviceTimer Inner => inner;

        public bool IsArmed => inner.IsArmed;

        public void Arm(long deadline)
        {
            if (!owner.Retired)
            {
                inner.Arm(deadline);
            }
        }

        public void Cancel() => inner.Cancel();
    }
}
