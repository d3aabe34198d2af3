namespace Emulator.Platform;

/// <summary>
/// The machine's one virtual clock, as devices see it: nanoseconds of guest time, and timers that
/// fire at a deadline on it. Timer callbacks run on the vCPU thread between instructions (devices are
/// only ever touched from that thread), so a device needs no locks for its timer state.
/// </summary>
public interface IDeviceClock
{
    /// <summary>Guest time in nanoseconds; monotonic, starts near zero at machine creation.</summary>
    long Now { get; }

    /// <summary>A timer that calls <paramref name="expired"/> once per arming, at or after its deadline.</summary>
    IDeviceTimer CreateTimer(Action expired);
}
