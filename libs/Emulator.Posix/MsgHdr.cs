using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary><c>struct msghdr</c> on x86-64 (56 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    public void* Name;
    public uint NameLen;
    public IoVec* Iov;
    public nuint IovLen;
    public void* Control;
    public nuint ControlLen;
    public int Flags;
}
