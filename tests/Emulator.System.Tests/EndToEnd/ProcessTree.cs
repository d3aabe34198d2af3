using System.Globalization;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>Children of a process and their command lines, read from /proc.</summary>
internal static class ProcessTree
{
    public static IReadOnlyList<int> ChildrenOf(int parent)
    {
        List<int> children = [];
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int ppid)
                && ppid == parent && !ProcessProbe.IsDead(pid))
            {
                children.Add(pid);
            }
        }

        return children;
    }

    /// <summary>The arguments of <paramref name="pid"/>, or empty when it is gone.</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>The live chardev server child of <paramref name="parent"/> serving chardev <paramref name="id"/>.</summary>
    public static int? ChardevServer(int parent, string id)
    {
        foreach (int child in ChildrenOf(parent))
        {
            IReadOnlyList<string> args = CommandLine(child);
            int at = args.ToList().IndexOf("--chardev");
            if (at >= 0 && at + 1 < args.Count && args[at + 1].Contains($",id={id},", StringComparison.Ordinal))
            {
                return child;
            }
        }

        return null;
    }
}
