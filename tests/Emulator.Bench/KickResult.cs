namespace Emulator.Bench;

/// <summary>
/// One series of kick round trips: its latencies, the device server's CPU over the same time, how long per
/// round trip this thread and the server's ring thread were runnable but waiting for a CPU, and in how
/// many bursts both threads ended on the same CPU.
/// </summary>
public sealed record KickResult(LatencySummary Latency, CpuShare ServerCpu, double FrontendQueuedUs, double ServerQueuedUs, int Bursts, int SameCpuBursts);
