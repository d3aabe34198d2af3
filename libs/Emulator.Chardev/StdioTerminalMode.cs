using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>The terminal mode QEMU's stdio backend sets: raw input, but output post-processing kept.</summary>
public static class StdioTerminalMode
{
    /// <summary>
    /// From <paramref name="original"/>: no echo, no line editing, no CR/NL translation or flow
    /// control on input, 8-bit characters, reads return after one byte; OPOST stays on so "\n"
    /// still moves to a new line. ISIG (Ctrl-C, Ctrl-Z) stays only when <paramref name="allowSignals"/>.
    /// </summary>
    public static TerminalAttributes Raw(in TerminalAttributes original, bool allowSignals)
    {
        TerminalAttributes tty = original;
        tty.InputFlags &= ~(TerminalFlags.IGNBRK | TerminalFlags.BRKINT | TerminalFlags.PARMRK | TerminalFlags.ISTRIP
            | TerminalFlags.INLCR | TerminalFlags.IGNCR | TerminalFlags.ICRNL | TerminalFlags.IXON);
        tty.OutputFlags |= TerminalFlags.OPOST;
        tty.LocalFlags &= ~(TerminalFlags.ECHO | TerminalFlags.ECHONL | TerminalFlags.ICANON | TerminalFlags.IEXTEN);
        tty.ControlFlags &= ~(TerminalFlags.CSIZE | TerminalFlags.PARENB);
        tty.ControlFlags |= TerminalFlags.CS8;
        tty.SetControlChar(TerminalFlags.VMIN, 1);
        tty.SetControlChar(TerminalFlags.VTIME, 0);
        if (!allowSignals)
        {
            tty.LocalFlags &= ~TerminalFlags.ISIG;
        }

        return tty;
    }
}
