namespace Emulator.Bench;

/// <summary>The 1-minute load average (/proc/loadavg): other work on the machine, which these figures are sensitive to.</summary>
public static class LoadAverage
{
    public static string OneMinute()
    {
        string text = File.ReadAllText("/proc/loadavg");
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 ? text[..space] : text.Trim();
    }
}
