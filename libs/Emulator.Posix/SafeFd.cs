using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>An owned file descriptor. Closed exactly once, when disposed or finalized.</summary>
public sealed class SafeFd : SafeHandle
{
    public SafeFd()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public SafeFd(int fd, bool ownsHandle = true)
        : base(invalidHandleValue: -1, ownsHandle)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    /// <summary>
    /// The raw number, for passing over SCM_RIGHTS or to a child process (-1 once closed). It bypasses the
    /// handle's reference counting: the number is only meaningful while the caller keeps this handle open,
    /// and a number read before a concurrent Dispose may already name another file. Calls inside this library
    /// pass the SafeFd itself, which holds a reference for the duration of the call.
    /// </summary>
    public int Number => IsClosed ? -1 : (int)handle;

    protected override bool ReleaseHandle() => LibC.close((int)handle) == 0;
}
