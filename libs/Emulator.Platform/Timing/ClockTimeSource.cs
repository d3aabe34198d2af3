using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>
/// The TSC's view of the <see cref="VirtualClock"/>: the same guest time at a fixed advertised
/// frequency, so the TSC stops with the clock and agrees with the LAPIC timer and HPET.
/// </summary>
public sealed class ClockTimeSource : ITimeSource
{
    /// <summary>1 GHz: one TSC tick per guest nanosecond.</summary>
    public const ulong DefaultFrequency = 1_000_000_000;

    private readonly IDeviceClock _clock;

    public ClockTimeSource(IDeviceClock clock, ulong frequency = DefaultFrequency)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfZero(frequency);
        _clock = clock;
        Frequency = frequency;
    }

    public ulong Frequency { get; }

    public ulong Now => ToTicks(_clock.Now);

    /// <summary>Guest nanoseconds to TSC ticks (negative times count as zero).</summary>
    public ulong ToTicks(long nanoseconds) =>
        nanoseconds <= 0 ? 0 : (ulong)((UInt128)(ulong)nanoseconds * Frequency / 1_000_000_000UL);

    /// <summary>The guest time at which the clock-derived TSC reaches <paramref name="ticks"/> (rounded up; saturating).</summary>
    public long ToNanoseconds(ulong ticks)
    {
        UInt128 ns = (((UInt128)ticks * 1_000_000_000UL) + Frequency - 1) / Frequency;
        return ns > long.MaxValue ? long.MaxValue : (long)ns;
    }
}
