namespace Emulator.Posix;

/// <summary>termios flag bits and control-character indexes (Linux values).</summary>
public static class TerminalFlags
{
    // c_iflag
    public const uint IGNBRK = 0x001;
    public const uint BRKINT = 0x002;
    public const uint PARMRK = 0x008;
    public const uint ISTRIP = 0x020;
    public const uint INLCR = 0x040;
    public const uint IGNCR = 0x080;
    public const uint ICRNL = 0x100;
    public const uint IXON = 0x400;

    // c_oflag
    public const uint OPOST = 0x001;
    public const uint ONLCR = 0x004;

    // c_cflag
    public const uint CSIZE = 0x030;
    public const uint CS8 = 0x030;
    public const uint PARENB = 0x100;

    // c_lflag
    public const uint ISIG = 0x001;
    public const uint ICANON = 0x002;
    public const uint ECHO = 0x008;
    public const uint ECHONL = 0x040;
    public const uint IEXTEN = 0x8000;

    // c_cc indexes
    public const int VINTR = 0;
    public const int VTIME = 5;
    public const int VMIN = 6;
}
