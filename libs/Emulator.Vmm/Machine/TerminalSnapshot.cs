using Emulator.Posix;

namespace Emulator.Vmm.Machine;

/// <summary>
/// The terminal mode of our standard input as it was at start. The stdio chardev server restores it
/// itself when it stops; this is for when it cannot (it was SIGKILLed), so the user never keeps a
/// raw terminal.
/// </summary>
public sealed class TerminalSnapshot
{
    private readonly SafeFd _terminal;
    private readonly TerminalAttributes _saved;

    private TerminalSnapshot(SafeFd terminal, TerminalAttributes saved)
    {
        _terminal = terminal;
        _saved = saved;
    }

    /// <summary>The mode of fd 0, or null when it is not a terminal.</summary>
    public static TerminalSnapshot? CaptureStandardInput()
    {
        var input = new SafeFd(0, ownsHandle: false);
        if (!Terminal.IsTerminal(input))
        {
            return null;
        }

        try
        {
            return new TerminalSnapshot(input, Terminal.GetAttributes(input));
        }
        catch (PosixException)
        {
            return null;
        }
    }

    /// <summary>Puts the saved mode back if it changed. A terminal that is gone is not an error.</summary>
    public void Restore()
    {
        try
        {
            if (Terminal.GetAttributes(_terminal) != _saved)
            {
                Terminal.SetAttributes(_terminal, _saved);
            }
        }
        catch (PosixException)
        {
            // Hung up: there is no mode left to restore.
        }
    }
}
