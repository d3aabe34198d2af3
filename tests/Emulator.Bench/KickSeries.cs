using System.Diagnostics;

namespace Emulator.Bench;

/// <summary>Runs kick round trips on a <see cref="KickRing"/> and summarises them.</summary>
public sealed class KickSeries
{
    public const int BurstSize = 1000;

    public static readonly TimeSpan BurstPause = TimeSpan.FromMilliseconds(50);

    private readonly KickRing _ring;
    private readonly int _serverPid;

    public KickSeries(KickRing ring, int serverPid)
    {
        _ring = ring;
        _serverPid = serverPid;
    }

    /// <summary>Round trips for at least <paramref name="duration"/>, unrecorded: JIT tiering on both sides, caches, page faults.</summary>
    public void WarmUp(TimeSpan duration, FrontendWait wait)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            _ring.RoundTrip(wait);
        }
    }

    /// <summary>
    /// Up to <paramref name="samples"/> round trips, stopping early once <paramref name="cap"/> has passed.
    /// The server's CPU is counted over the measured stretches only (not the pauses between bursts).
    /// </summary>
    public KickResult Run(FrontendWait wait, int samples, TimeSpan cap, Pacing pacing)
    {
        long[] ticks = new long[samples];
        long capTicks = (long)(cap.TotalSeconds * Stopwatch.Frequency);
        long begin = Stopwatch.GetTimestamp();
        CpuShare cpu = CpuShare.None;
        int n = 0;
        int bursts = 0;
        int sameCpu = 0;
        long frontendQueuedNs = 0;
        long serverQueuedNs = 0;
        while (n < samples && Stopwatch.GetTimestamp() - begin < capTicks)
        {
            int burstEnd = samples;
            if (pacing == Pacing.Bursts)
            {
                burstEnd = Math.Min(samples, n + BurstSize);
                if (n > 0)
                {
                    Thread.Sleep(BurstPause);
                }
            }

            ProcessCpu before = ProcessCpu.Read(_serverPid);
            ThreadSchedStat ours = ThreadSchedStat.ReadCurrentThread();
            long start = Stopwatch.GetTimestamp();
            while (n < burstEnd && Stopwatch.GetTimestamp() - begin < capTicks)
            {
                if (pacing == Pacing.IdleGaps)
                {
                    Thread.Sleep(1 + (n & 1));
                }

                ticks[n++] = _ring.RoundTrip(wait);
            }

            TimeSpan wall = Stopwatch.GetElapsedTime(start);
            frontendQueuedNs += (ThreadSchedStat.ReadCurrentThread() - ours).WaitNs;
            int frontendCpu = ThreadPlacement.CurrentThreadCpu();
            ProcessCpu after = ProcessCpu.Read(_serverPid);
            int ringThread = after.BusiestThreadSince(before);
            serverQueuedNs += after.ThreadSince(before, ringThread).WaitNs;
            cpu = cpu.Add(CpuShare.Between(before, after, wall));
            bursts++;
            sameCpu += frontendCpu >= 0 && frontendCpu == ThreadPlacement.LastCpu(_serverPid, ringThread) ? 1 : 0;
        }

        return new KickResult(LatencySummary.FromTicks(ticks, n), cpu, frontendQueuedNs / 1e3 / n, serverQueuedNs / 1e3 / n, bursts, sameCpu);
    }
}
