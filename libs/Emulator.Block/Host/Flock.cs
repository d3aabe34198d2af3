using System.Runtime.InteropServices;

namespace Emulator.Block;

/// <summary>struct flock (x86-64 layout: 32 bytes) for OFD byte-range locks.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Flock
{
    public short Type;
    public short Whence;
    public long Start;
    public long Length;
    public int Pid;
}
