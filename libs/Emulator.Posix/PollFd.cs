using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary><c>struct pollfd</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct PollFd
{
    public int Fd;
    public short Events;
    public short Revents;

    public PollFd(int fd, short events)
    {
        Fd = fd;
        Events = events;
        Revents = 0;
    }
}
