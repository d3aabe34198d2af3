using System.Runtime.InteropServices;
using Emulator.Posix;

namespace Emulator.Block;

/// <summary>
/// The libc calls disk images need that Emulator.Posix does not expose (positioned I/O, fdatasync,
/// fallocate, OFD locks). All return -1 and set errno on failure.
/// </summary>
internal static unsafe partial class BlockLibC
{
    private const string Lib = "libc";

    public const int O_DIRECT = 0x4000;
    public const int SEEK_END = 2;
    public const int F_OFD_GETLK = 36;
    public const int F_OFD_SETLK = 37;
    public const short F_RDLCK = 0;
    public const short F_WRLCK = 1;
    public const short F_UNLCK = 2;
    public const int FALLOC_FL_KEEP_SIZE = 0x01;
    public const int FALLOC_FL_PUNCH_HOLE = 0x02;
    public const int FALLOC_FL_ZERO_RANGE = 0x10;
    public const int EOPNOTSUPP = 95;

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint pread(SafeFd fd, byte* buf, nuint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint pwrite(SafeFd fd, byte* buf, nuint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int fdatasync(SafeFd fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int fallocate(SafeFd fd, int mode, long offset, long length);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int ftruncate(SafeFd fd, long length);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial long lseek(SafeFd fd, long offset, int whence);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int fstat(SafeFd fd, byte* statbuf);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int fcntl_lock(SafeFd fd, int cmd, Flock* request);
}
