namespace Emulator.Chardev.Tests;

/// <summary>
/// The test assembly's entry point. xunit never calls it; <see cref="StdioChildProcess"/> runs the
/// assembly as a child process to test terminal restoration on SIGTERM and after a crash.
/// </summary>
internal static class Program
{
    public static int Main(string[] args) => args.Length == 0 ? 0 : args[0] switch
    {
        StdioChildProcess.Verb => StdioChildProcess.Run(),
        StdioChildProcess.CrashVerb => StdioChildProcess.Crash(),
        _ => 0,
    };
}
