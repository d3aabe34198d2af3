using System.Diagnostics;

namespace Emulator.Bench;

/// <summary>Round trips of one control request (request sent, reply or REPLY_ACK status received and checked).</summary>
public static class ControlSeries
{
    public static LatencySummary Run(Action request, int warmUp, int samples)
    {
        for (int i = 0; i < warmUp; i++)
        {
            request();
        }

        long[] ticks = new long[samples];
        for (int i = 0; i < samples; i++)
        {
            long start = Stopwatch.GetTimestamp();
            request();
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }

        return LatencySummary.FromTicks(ticks, samples);
    }
}
