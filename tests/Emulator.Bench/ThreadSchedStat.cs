using System.Globalization;

namespace Emulator.Bench;

/// <summary>
/// A thread's /proc schedstat: nanoseconds spent running and nanoseconds spent runnable but waiting for
/// a CPU (the second is what contention costs a thread that wants to run).
/// </summary>
public readonly record struct ThreadSchedStat(long RunNs, long WaitNs)
{
    /// <summary>The calling thread's figures, or zeros if /proc does not have them.</summary>
    public static ThreadSchedStat ReadCurrentThread() => TryRead("/proc/thread-self/schedstat") ?? default;

    /// <summary>The figures in a schedstat file, or null if it is gone (the thread exited) or malformed.</summary>
    public static ThreadSchedStat? TryRead(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }

        string[] fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2
            && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long run)
            && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long wait)
            ? new ThreadSchedStat(run, wait)
            : null;
    }

    public static ThreadSchedStat operator -(ThreadSchedStat after, ThreadSchedStat before) => new(after.RunNs - before.RunNs, after.WaitNs - before.WaitNs);
}
