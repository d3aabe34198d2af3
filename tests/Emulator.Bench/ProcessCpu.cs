using System.Globalization;

namespace Emulator.Bench;

/// <summary>
/// CPU time a process has used: utime+stime from /proc/PID/stat (all threads, in clock ticks) and, for
/// finer figures, each live thread's schedstat (run and run-queue wait time in nanoseconds).
/// </summary>
public sealed class ProcessCpu
{
    /// <summary>USER_HZ, the unit of /proc/PID/stat times; fixed at 100 by the Linux ABI on x86-64.</summary>
    public const int TicksPerSecond = 100;

    private readonly Dictionary<int, ThreadSchedStat> _threads;

    private ProcessCpu(long ticks, Dictionary<int, ThreadSchedStat> threads)
    {
        Ticks = ticks;
        _threads = threads;
    }

    public long Ticks { get; }

    public double Milliseconds => Ticks * 1000.0 / TicksPerSecond;

    public static ProcessCpu Read(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) is in parentheses and may hold spaces; fields after it are plain.
        int close = stat.LastIndexOf(')');
        string[] fields = close < 0 ? [] : stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13)
        {
            throw new InvalidDataException($"/proc/{pid}/stat has an unexpected layout: {stat}");
        }

        // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessCpu(ticks, ReadThreads(pid));
    }

    /// <summary>
    /// Thread run time since <paramref name="before"/>, in nanoseconds: threads that exited meanwhile are
    /// missing (a slight undercount), threads that started meanwhile count whole.
    /// </summary>
    public long ThreadNanosecondsSince(ProcessCpu before) => _threads.Sum(t => (t.Value - before.Of(t.Key)).RunNs);

    /// <summary>The thread that ran the most since <paramref name="before"/> (the ring thread, during a kick series), or -1.</summary>
    public int BusiestThreadSince(ProcessCpu before) =>
        _threads.Count == 0 ? -1 : _threads.MaxBy(t => (t.Value - before.Of(t.Key)).RunNs).Key;

    /// <summary>What thread <paramref name="tid"/> did since <paramref name="before"/>.</summary>
    public ThreadSchedStat ThreadSince(ProcessCpu before, int tid) => Of(tid) - before.Of(tid);

    private ThreadSchedStat Of(int tid) => _threads.GetValueOrDefault(tid);

    private static Dictionary<int, ThreadSchedStat> ReadThreads(int pid)
    {
        Dictionary<int, ThreadSchedStat> threads = [];
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid)
                && ThreadSchedStat.TryRead(Path.Combine(task, "schedstat")) is { } stat)
            {
                threads[tid] = stat;
            }
        }

        return threads;
    }
}
