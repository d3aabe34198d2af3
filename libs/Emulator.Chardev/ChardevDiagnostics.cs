using System.Text;
using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// Where chardev messages go by default: straight to fd 2, one line each. Not through
/// <see cref="Console"/>, whose terminal handling would compete with our raw-mode terminal.
/// </summary>
public static class ChardevDiagnostics
{
    public static void WriteToStandardError(string message)
    {
        using SafeFd stderr = new(2, ownsHandle: false);
        try
        {
            Fd.WriteAll(stderr, Encoding.UTF8.GetBytes(message + "\n"));
        }
        catch (PosixException)
        {
            // Standard error is closed or broken: there is nowhere left to report to.
        }
    }
}
