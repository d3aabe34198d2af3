using System.Globalization;

namespace Emulator.Bench;

/// <summary>Which CPU a thread last ran on (field 39 of its /proc stat file).</summary>
public static class ThreadPlacement
{
    /// <summary>The CPU the calling thread last ran on, or -1 if /proc does not say.</summary>
    public static int CurrentThreadCpu() => LastCpu("/proc/thread-self/stat");

    /// <summary>The CPU thread <paramref name="tid"/> of process <paramref name="pid"/> last ran on, or -1 if it is gone.</summary>
    public static int LastCpu(int pid, int tid) => LastCpu($"/proc/{pid}/task/{tid}/stat");

    private static int LastCpu(string path)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(path);
        }
        catch (IOException)
        {
            return -1; // the thread exited
        }

        // Fields after the parenthesised command name start at field 3, so field 39 is the 37th.
        int close = stat.LastIndexOf(')');
        string[] fields = close < 0 ? [] : stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 36 && int.TryParse(fields[36], NumberStyles.None, CultureInfo.InvariantCulture, out int cpu) ? cpu : -1;
    }
}
