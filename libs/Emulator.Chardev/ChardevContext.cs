using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>What backends take from their surroundings.</summary>
/// <param name="Report">Receives user-facing messages (pty path, "waiting for connection", connect errors).</param>
/// <param name="StandardInput">Stands in for fd 0 in the stdio backend (tests use a pty slave); not owned.</param>
/// <param name="StandardOutput">Stands in for fd 1; not owned.</param>
public sealed record ChardevContext(Action<string> Report, SafeFd? StandardInput = null, SafeFd? StandardOutput = null)
{
    /// <summary>Messages to standard error, the real fd 0 and 1.</summary>
    public static ChardevContext Default => new(ChardevDiagnostics.WriteToStandardError);
}
