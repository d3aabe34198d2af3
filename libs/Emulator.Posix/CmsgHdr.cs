using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary><c>struct cmsghdr</c> header on x86-64 (16 bytes, data follows aligned to 8).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CmsgHdr
{
    public nuint Len;
    public int Level;
    public int Type;
}
