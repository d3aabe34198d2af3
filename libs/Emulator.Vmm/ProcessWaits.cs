using System.Diagnostics;

namespace Emulator.Vmm;

/// <summary>
/// Exit queries on a <see cref="Process"/> that treat one released by Dispose (racing with a signal
/// handler or a hang-up callback) as exited: by then StopAll has already waited for it.
/// </summary>
internal static class ProcessWaits
{
    public static bool HasExited(Process process) => WaitForExit(process, TimeSpan.Zero);

    public static bool WaitForExit(Process process, TimeSpan timeout)
    {
        try
        {
            return process.WaitForExit(timeout);
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>Null only if Dispose released the process while its Exited event was in flight.</summary>
    public static int? ExitStatusOf(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
