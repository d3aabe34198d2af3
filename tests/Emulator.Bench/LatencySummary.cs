using System.Diagnostics;

namespace Emulator.Bench;

/// <summary>Order statistics of one series of round trips, in microseconds.</summary>
public sealed record LatencySummary(int Count, double MedianUs, double P99Us, double MinUs, double MaxUs)
{
    /// <summary>Summarises the first <paramref name="count"/> samples (Stopwatch ticks); sorts them in place.</summary>
    public static LatencySummary FromTicks(long[] samples, int count)
    {
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "no samples to summarise");
        }

        Span<long> s = samples.AsSpan(0, count);
        s.Sort();
        return new LatencySummary(count, ToUs(Percentile(s, 0.50)), ToUs(Percentile(s, 0.99)), ToUs(s[0]), ToUs(s[^1]));
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static long Percentile(ReadOnlySpan<long> sorted, double p)
    {
        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static double ToUs(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
}
