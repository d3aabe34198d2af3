using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>Opening output files the way QEMU does (file backend and logfile).</summary>
internal static class ChardevFiles
{
    /// <summary>Opens for writing, created 0666 less umask; O_APPEND or O_TRUNC as asked.</summary>
    public static SafeFd OpenForOutput(string path, bool append)
    {
        int flags = OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.CloseOnExec | (append ? OpenFlags.Append : OpenFlags.Truncate);
        try
        {
            return PosixFile.Open(path, flags);
        }
        catch (PosixException e)
        {
            throw new ChardevException($"Could not open '{path}': {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.Errno)}", e);
        }
    }
}
