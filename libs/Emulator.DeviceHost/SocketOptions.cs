using System.Runtime.InteropServices;
using Emulator.Posix;

namespace Emulator.DeviceHost;

/// <summary>
/// getsockopt for the two integers that tell what an inherited descriptor is. Lives here because
/// Emulator.Posix exposes no socket-type query and its existing files are not ours to change.
/// </summary>
internal static partial class SocketOptions
{
    private const int SOL_SOCKET = 1;
    private const int SO_TYPE = 3;
    private const int SO_DOMAIN = 39;

    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;

    /// <summary>The socket's (domain, type); throws <see cref="PosixException"/> (ENOTSOCK for a non-socket).</summary>
    public static (int Domain, int Type) Query(int fd) => (GetInt(fd, SO_DOMAIN, "SO_DOMAIN"), GetInt(fd, SO_TYPE, "SO_TYPE"));

    private static int GetInt(int fd, int option, string name)
    {
        uint length = sizeof(int);
        if (getsockopt(fd, SOL_SOCKET, option, out int value, ref length) < 0)
        {
            throw PosixException.FromLastError($"getsockopt({name})");
        }

        return value;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getsockopt(int fd, int level, int optname, out int optval, ref uint optlen);
}
