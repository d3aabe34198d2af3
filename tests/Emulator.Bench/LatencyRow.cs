namespace Emulator.Bench;

/// <summary>One line of the table: a JSON key, a label, the latencies, and for kick series the server's CPU and thread placement.</summary>
public sealed record LatencyRow(string Key, string Label, LatencySummary Latency, KickResult? Kick);
