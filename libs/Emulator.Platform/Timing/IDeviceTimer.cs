namespace Emulator.Platform;

/// <summary>One device timer on an <see cref="IDeviceClock"/>. Re-arming replaces the previous deadline.</summary>
public interface IDeviceTimer
{
    /// <summary>Fire at <paramref name="deadline"/> (clock nanoseconds); a deadline in the past fires at the next check.</summary>
    void Arm(long deadline);

    void Cancel();

    bool IsArmed { get; }
}
