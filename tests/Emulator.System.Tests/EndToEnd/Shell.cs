using System.Text;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>Builds <c>/bin/sh -c</c> scripts that put a program's stdio where a test wants it.</summary>
internal static class Shell
{
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// A script that runs "$0" "$@" with the given redirections (paths, or null to inherit). Run as
    /// <c>sh -c SCRIPT PROGRAM ARGS...</c>; <c>exec</c> keeps the pid, so the program is the direct child.
    /// </summary>
    public static string ExecScript(string? stdin, string? stdout, string? stderr)
    {
        var script = new StringBuilder("exec \"$0\" \"$@\"");
        if (stdin is not null)
        {
            script.Append(" <").Append(Quote(stdin));
        }

        if (stdout is not null)
        {
            script.Append(" >").Append(Quote(stdout));
        }

        if (stderr is not null)
        {
            script.Append(" 2>>").Append(Quote(stderr));
        }

        return script.ToString();
    }
}
