namespace Emulator.Posix;

/// <summary>termios access: is a descriptor a terminal, read and change its modes.</summary>
public static unsafe class Terminal
{
    private const int TCSANOW = 0;

    public static bool IsTerminal(SafeFd fd) => LibC.isatty(fd) == 1;

    public static TerminalAttributes GetAttributes(SafeFd fd)
    {
        TerminalAttributes attributes = default;

        // SAFETY: a stack local of exactly glibc's struct termios layout (60 bytes), written by the call.
        if (LibC.tcgetattr(fd, &attributes) < 0)
        {
            throw PosixException.FromLastError("tcgetattr");
        }

        return attributes;
    }

    /// <summary>Applies <paramref name="attributes"/> at once (TCSANOW).</summary>
    public static void SetAttributes(SafeFd fd, in TerminalAttributes attributes)
    {
        TerminalAttributes copy = attributes;

        // SAFETY: a stack copy in struct termios layout, only read by the call.
        while (LibC.tcsetattr(fd, TCSANOW, &copy) < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new PosixException("tcsetattr", errno);
            }
        }
    }

    /// <summary>cfmakeraw(3): no echo, no line editing, no signals, no output processing, 8 bits.</summary>
    public static TerminalAttributes MakeRaw(in TerminalAttributes attributes)
    {
        TerminalAttributes copy = attributes;

        // SAFETY: a stack copy in struct termios layout; cfmakeraw only edits its fields.
        LibC.cfmakeraw(&copy);
        return copy;
    }
}
