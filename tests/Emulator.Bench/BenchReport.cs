using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Emulator.Bench;

/// <summary>Collects the figures and prints them as a table, one line per goal, then one JSON line.</summary>
public sealed class BenchReport
{
    public const double KickGoalUs = 10.0;
    public const double IdleCpuGoalPercent = 1.0;
    public const string BackToBackKey = "back_to_back";

    private readonly List<LatencyRow> _kick = [];
    private readonly List<LatencyRow> _control = [];
    private readonly List<string> _notes = [];

    public int Cores { get; init; } = Environment.ProcessorCount;

    public required string Server { get; init; }

    public required string FrontendWait { get; init; }

    public required string ServerWait { get; init; }

    public required string Chain { get; init; }

    public required string Pacing { get; init; }

    public CpuShare? IdleServerCpu { get; set; }

    /// <summary>1-minute load average before the bench started (its own processes not yet running).</summary>
    public string LoadBefore { get; init; } = LoadAverage.OneMinute();

    public void AddKick(string key, string label, KickResult result) => _kick.Add(new LatencyRow(key, label, result.Latency, result));

    public void AddControl(string key, string label, LatencySummary latency) => _control.Add(new LatencyRow(key, label, latency, null));

    public void AddNote(string note) => _notes.Add(note);

    public void Print(TextWriter output)
    {
        output.WriteLine($"vhost-user bench: front-end (this process, pid {Environment.ProcessId}) <-> device server in another process; {Cores} cores, 1-min load average {LoadBefore} at start");
        output.WriteLine($"  device server: {Server}");
        output.WriteLine($"  front-end wait: {FrontendWait}");
        output.WriteLine($"  server wait:    {ServerWait}");
        output.WriteLine($"  chain:          {Chain}");
        output.WriteLine($"  pacing:         {Pacing}");
        output.WriteLine();
        output.WriteLine($"  {"round trip",-56} {"samples",7} {"median us",9} {"p99 us",8} {"min us",7} {"server CPU",10} {"queued us",10} {"same CPU",8}");
        foreach (LatencyRow row in _kick.Concat(_control))
        {
            LatencySummary l = row.Latency;
            string cpu = row.Kick is null ? "" : $"{row.Kick.ServerCpu.ThreadPercentOfCore:F0}% core";
            string queued = row.Kick is null ? "" : $"{row.Kick.FrontendQueuedUs:F1}/{row.Kick.ServerQueuedUs:F1}";
            string same = row.Kick is null ? "" : $"{row.Kick.SameCpuBursts}/{row.Kick.Bursts}";
            output.WriteLine($"  {row.Label,-56} {l.Count,7} {l.MedianUs,9:F1} {l.P99Us,8:F1} {l.MinUs,7:F1} {cpu,10} {queued,10} {same,8}");
        }

        output.WriteLine();
        if (IdleServerCpu is { } idle)
        {
            output.WriteLine($"  idle device server, {idle.WallSeconds:F1} s: utime+stime {idle.StatMs:F0} ms = {idle.PercentOfCore:F2}% of one core (threads' schedstat: {idle.ThreadMs:F2} ms = {idle.ThreadPercentOfCore:F3}%)");
        }

        foreach (string note in _notes)
        {
            output.WriteLine($"  note: {note}");
        }

        output.WriteLine();
        foreach (string goal in Goals().Select(g => g.Line))
        {
            output.WriteLine(goal);
        }

        output.WriteLine(ToJson());
    }

    private IEnumerable<(string Key, bool Met, string Line)> Goals()
    {
        if (_kick.FirstOrDefault(r => r.Key == BackToBackKey) is { } b2b)
        {
            bool met = b2b.Latency.MedianUs <= KickGoalUs;
            string why = !met && b2b.Kick is { } k && (k.SameCpuBursts > 0 || k.FrontendQueuedUs + k.ServerQueuedUs > 1)
                ? $" (this thread / the server's ring thread waited {k.FrontendQueuedUs:F1}/{k.ServerQueuedUs:F1} us per round trip for a CPU"
                    + (k.SameCpuBursts > 0 ? " and shared one" : "") + ": contention)"
                : "";
            yield return ("kick_back_to_back_median_le_10us", met,
                $"goal: kick round trip back-to-back median {b2b.Latency.MedianUs:F1} us (goal <= {KickGoalUs:F0} us): {(met ? "met" : "not met")}{why}");
        }

        if (IdleServerCpu is { } idle)
        {
            bool met = idle.PercentOfCore <= IdleCpuGoalPercent;
            yield return ("idle_server_cpu_le_1pct", met,
                $"goal: idle device-server CPU {idle.PercentOfCore:F2}% of one core (goal <= {IdleCpuGoalPercent:F0}%, an idle ring sleeps in poll): {(met ? "met" : "not met")}");
        }
    }

    private string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("cores", Cores);
            w.WriteString("load_average_before", LoadBefore);
            w.WriteString("server", Server);
            w.WriteString("frontend_wait", FrontendWait);
            w.WriteString("server_wait", ServerWait);
            w.WriteString("chain", Chain);
            w.WriteString("pacing", Pacing);
            WriteRows(w, "kick", _kick);
            WriteRows(w, "control", _control);
            if (IdleServerCpu is { } idle)
            {
                w.WriteStartObject("idle_server_cpu");
                w.WriteNumber("seconds", Round(idle.WallSeconds));
                w.WriteNumber("stat_ms", Round(idle.StatMs));
                w.WriteNumber("pct_of_core", Round(idle.PercentOfCore));
                w.WriteNumber("thread_ms", Round(idle.ThreadMs));
                w.WriteNumber("thread_pct_of_core", Math.Round(idle.ThreadPercentOfCore, 4));
                w.WriteEndObject();
            }

            w.WriteStartObject("goals");
            foreach ((string key, bool met, _) in Goals())
            {
                w.WriteBoolean(key, met);
            }

            w.WriteEndObject();
            w.WriteStartArray("notes");
            foreach (string note in _notes)
            {
                w.WriteStringValue(note);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteRows(Utf8JsonWriter w, string name, List<LatencyRow> rows)
    {
        w.WriteStartObject(name);
        foreach (LatencyRow row in rows)
        {
            w.WriteStartObject(row.Key);
            w.WriteNumber("samples", row.Latency.Count);
            w.WriteNumber("median_us", Round(row.Latency.MedianUs));
            w.WriteNumber("p99_us", Round(row.Latency.P99Us));
            w.WriteNumber("min_us", Round(row.Latency.MinUs));
            w.WriteNumber("max_us", Round(row.Latency.MaxUs));
            if (row.Kick is { } kick)
            {
                w.WriteNumber("seconds", Math.Round(kick.ServerCpu.WallSeconds, 3));
                w.WriteNumber("server_cpu_ms", Round(kick.ServerCpu.ThreadMs));
                w.WriteNumber("server_cpu_pct_of_core", Round(kick.ServerCpu.ThreadPercentOfCore));
                w.WriteNumber("frontend_queued_us_per_round_trip", Round(kick.FrontendQueuedUs));
                w.WriteNumber("server_queued_us_per_round_trip", Round(kick.ServerQueuedUs));
                w.WriteNumber("bursts", kick.Bursts);
                w.WriteNumber("same_cpu_bursts", kick.SameCpuBursts);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static double Round(double value) => Math.Round(value, 2);
}
