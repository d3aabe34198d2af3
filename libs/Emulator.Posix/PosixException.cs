using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>A failed libc call: carries the call's name and errno so logs say exactly what broke.</summary>
public sealed class PosixException : IOException
{
    public PosixException(string call, int errno)
        : base($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno)
    {
        Call = call;
        Errno = errno;
    }

    public string Call { get; }

    public int Errno { get; }

    /// <summary>Throws for the last errno of a call that returned -1.</summary>
    public static PosixException FromLastError(string call) => new(call, Marshal.GetLastPInvokeError());
}
