using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>termios, pseudo-terminal and open(2) entry points (used by the chardev backends).</summary>
internal static unsafe partial class LibC
{
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int tcgetattr(SafeFd fd, TerminalAttributes* termios);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int tcsetattr(SafeFd fd, int optionalActions, TerminalAttributes* termios);

    [LibraryImport(Lib)]
    internal static partial void cfmakeraw(TerminalAttributes* termios);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int isatty(SafeFd fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int posix_openpt(int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int grantpt(SafeFd fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int unlockpt(SafeFd fd);

    /// <summary>Returns 0 or an error number (it does not use errno).</summary>
    [LibraryImport(Lib)]
    internal static partial int ptsname_r(SafeFd fd, byte* buf, nuint buflen);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags, uint mode);
}
