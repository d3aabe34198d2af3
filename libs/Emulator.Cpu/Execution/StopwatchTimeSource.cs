using System.Diagnostics;

namespace Emulator.Cpu;

/// <summary>The default <see cref="ITimeSource"/>: host monotonic time scaled to a fixed nominal frequency, zero at construction.</summary>
public sealed class StopwatchTimeSource : ITimeSource
{
    /// <summary>1 GHz: one tick per nanosecond, easy to reason about in logs.</summary>
    public const ulong DefaultFrequency = 1_000_000_000;

    private readonly long _start = Stopwatch.GetTimestamp();

    public StopwatchTimeSource(ulong frequency = DefaultFrequency)
    {
        ArgumentOutOfRangeException.ThrowIfZero(frequency);
        Frequency = frequency;
    }

    public ulong Frequency { get; }

    public ulong Now
    {
        get
        {
            long elapsed = Stopwatch.GetTimestamp() - _start;
            return (ulong)((UInt128)(ulong)elapsed * Frequency / (ulong)Stopwatch.Frequency);
        }
    }
}
