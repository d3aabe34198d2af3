using System.Globalization;
using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// A private, non-blocking handle on a standard descriptor. Setting O_NONBLOCK on fd 0/1 itself
/// would change the open file description we share with the shell, so a terminal or pipe is
/// reopened through /proc/self/fd/N (a new description of the same file). A regular file is
/// duplicated (its writes never block and reopening would lose O_APPEND); anything else that
/// cannot be reopened (a socket) is duplicated and made non-blocking, undone on dispose.
/// </summary>
internal sealed class StandardStream : IDisposable
{
    private readonly bool _restoreBlocking;

    private StandardStream(SafeFd handle, bool restoreBlocking)
    {
        Handle = handle;
        _restoreBlocking = restoreBlocking;
    }

    public SafeFd Handle { get; }

    public static StandardStream Open(SafeFd fd, bool forWriting)
    {
        if (PosixFile.GetKind(fd) == FileKind.Regular)
        {
            return new StandardStream(Fd.Duplicate(fd), restoreBlocking: false);
        }

        int flags = (forWriting ? OpenFlags.WriteOnly : OpenFlags.ReadOnly) | OpenFlags.NonBlocking | OpenFlags.NoControllingTerminal | OpenFlags.CloseOnExec;
        try
        {
            return new StandardStream(PosixFile.Open(string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{fd.Number}"), flags), restoreBlocking: false);
        }
        catch (PosixException)
        {
            SafeFd dup = Fd.Duplicate(fd);
            Fd.SetNonBlocking(dup, true);
            return new StandardStream(dup, restoreBlocking: true);
        }
    }

    public void Dispose()
    {
        if (_restoreBlocking && !Handle.IsClosed)
        {
            Fd.SetNonBlocking(Handle, false);
        }

        Handle.Dispose();
    }
}
