namespace Emulator.Bench;

/// <summary>CPU a process used over a stretch of wall-clock time.</summary>
public sealed record CpuShare(double WallSeconds, double StatMs, double ThreadMs)
{
    /// <summary>Percent of one core, from the stat ticks.</summary>
    public double PercentOfCore => WallSeconds > 0 ? StatMs / (WallSeconds * 10.0) : 0;

    /// <summary>Percent of one core, from the threads' schedstat run time.</summary>
    public double ThreadPercentOfCore => WallSeconds > 0 ? ThreadMs / (WallSeconds * 10.0) : 0;

    public static CpuShare None { get; } = new(0, 0, 0);

    public static CpuShare Between(ProcessCpu before, ProcessCpu after, TimeSpan wall) =>
        new(wall.TotalSeconds, after.Milliseconds - before.Milliseconds, after.ThreadNanosecondsSince(before) / 1e6);

    /// <summary>Two stretches taken together.</summary>
    public CpuShare Add(CpuShare other) => new(WallSeconds + other.WallSeconds, StatMs + other.StatMs, ThreadMs + other.ThreadMs);
}
