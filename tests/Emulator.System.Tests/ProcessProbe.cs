namespace Emulator.System.Tests;

/// <summary>Whether a pid still names a live process, read from /proc.</summary>
public static class ProcessProbe
{
    /// <summary>Gone, or a zombie nobody has reaped yet (an orphan's reaper may be slow or absent in a container).</summary>
    public static bool IsDead(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return true;
        }

        // "pid (comm) S ...": the state follows the last ')', since comm may contain one.
        int close = stat.LastIndexOf(')');
        return close < 0 || close + 2 >= stat.Length || stat[close + 2] is 'Z' or 'X';
    }

    /// <summary>Polls until <paramref name="pid"/> is dead; false if it is still alive after the test's patience.</summary>
    public static async Task<bool> WaitForDeathAsync(int pid)
    {
        DateTime giveUp = DateTime.UtcNow + HostRun.Patience;
        while (!IsDead(pid))
        {
            if (DateTime.UtcNow > giveUp)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
