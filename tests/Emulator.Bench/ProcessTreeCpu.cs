using System.Globalization;

namespace Emulator.Bench;

/// <summary>
/// Host CPU seconds (user + system) used so far by a process and all its descendants, from
/// /proc/PID/stat: live processes' own utime+stime plus cutime+cstime, which hold every reaped
/// descendant (device servers that already exited, the shell a launcher exec'd from keeps its pid).
/// </summary>
public static class ProcessTreeCpu
{
    /// <summary>The tree's CPU seconds, or NaN if <paramref name="root"/> is gone.</summary>
    public static double Seconds(int root)
    {
        var stats = new Dictionary<int, (int Parent, long Ticks)>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && TryRead(pid) is { } stat)
            {
                stats[pid] = stat;
            }
        }

        if (!stats.ContainsKey(root))
        {
            return double.NaN;
        }

        // Walk down from the root; pids in a cycle (impossible, but /proc is read non-atomically) are visited once.
        var children = stats.ToLookup(s => s.Value.Parent, s => s.Key);
        var seen = new HashSet<int> { root };
        var pending = new Stack<int>([root]);
        long ticks = 0;
        while (pending.TryPop(out int pid))
        {
            ticks += stats[pid].Ticks;
            foreach (int child in children[pid])
            {
                if (seen.Add(child))
                {
                    pending.Push(child);
                }
            }
        }

        return (double)ticks / ProcessCpu.TicksPerSecond;
    }

    /// <summary>Parent pid and utime+stime+cutime+cstime of <paramref name="pid"/>, or null if it exited or the line is malformed.</summary>
    private static (int Parent, long Ticks)? TryRead(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may hold spaces; fields after it are plain.
        int close = stat.LastIndexOf(')');
        string[] fields = close < 0 ? [] : stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // fields[0] is field 3 (state): ppid (4) is at 1, utime..cstime (14..17) at 11..14.
        if (fields.Length < 15 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parent))
        {
            return null;
        }

        long ticks = 0;
        for (int i = 11; i <= 14; i++)
        {
            if (!long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                return null;
            }

            ticks += value;
        }

        return (parent, ticks);
    }
}
