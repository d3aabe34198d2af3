using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>Opening output files the way QEMU does (file backend and logfile).</summary>
internal static class ChardevFiles
{
    /// <summary>
    /// Opens for writing, created 0666 less umask; O_APPEND or O_TRUNC as asked. The open blocks as
    /// QEMU's does (a FIFO waits for its reader), but the descriptor is then made non-blocking so that
    /// writes to a stalled FIFO or device wait in poll, where a stop can interrupt them (see
    /// <see cref="Fd.WriteAll(SafeFd, ReadOnlySpan{byte}, SafeFd?, int)"/>). The open file description is ours alone, so nobody else sees the flag.
    /// </summary>
    public static SafeFd OpenForOutput(string path, bool append)
    {
        int flags = OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.CloseOnExec | (append ? OpenFlags.Append : OpenFlags.Truncate);
        try
        {
            SafeFd fd = PosixFile.Open(path, flags);
            try
            {
                Fd.SetNonBlocking(fd, true);
            }
            catch
            {
                fd.Dispose();
                throw;
            }

            return fd;
        }
        catch (PosixException e)
        {
            throw new ChardevException($"Could not open '{path}': {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.Errno)}", e);
        }
    }
}
