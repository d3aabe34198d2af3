using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary><c>struct timeval</c> on x86-64 (16 bytes), for SO_SNDTIMEO.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TimeVal
{
    public long Seconds;
    public long Microseconds;

    public static TimeVal FromMilliseconds(int ms) => new() { Seconds = ms / 1000, Microseconds = ms % 1000 * 1000L };
}
