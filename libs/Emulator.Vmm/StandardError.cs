using System.Text;
using Emulator.DeviceHost;

namespace Emulator.Vmm;

/// <summary>
/// Lines to descriptor 2 with write(2), never through <see cref="Console"/>: .NET's console sends the
/// terminal's keypad-transmit sequence on first use, into the terminal the guest's console is on.
/// </summary>
internal static class StandardError
{
    public static void WriteLine(string message)
    {
        using DescriptorStream stderr = DescriptorStream.StandardError();
        try
        {
            stderr.Write(Encoding.UTF8.GetBytes(message + "\n"));
        }
        catch (IOException)
        {
            // Standard error is gone too: there is nowhere left to report to.
        }
    }
}
