namespace Emulator.Posix;

/// <summary>open(2) and the file type from fstat, for callers that need exact flags (O_APPEND, O_NOCTTY).</summary>
public static unsafe class PosixFile
{
    /// <summary>Opens <paramref name="path"/>; <paramref name="flags"/> from <see cref="OpenFlags"/>. EINTR is retried.</summary>
    public static SafeFd Open(string path, int flags, int mode = 0x1B6 /* 0666, less the umask */)
    {
        while (true)
        {
            int fd = LibC.open(path, flags, (uint)mode);
            if (fd >= 0)
            {
                return new SafeFd(fd);
            }

            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new PosixException($"open({path})", errno);
            }
        }
    }

    public static FileKind GetKind(SafeFd fd) => (FileKind)(Fd.Stat(fd).Mode & 0xF000);
}
