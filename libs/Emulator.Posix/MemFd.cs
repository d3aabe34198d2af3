using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>Anonymous shared memory files: the backing of guest RAM and every shared ring.</summary>
public static class MemFd
{
    private const uint MFD_CLOEXEC = 0x1;
    private const uint MFD_ALLOW_SEALING = 0x2;

    /// <summary>Creates a memfd of the given size. The name shows in /proc/PID/maps, nothing more.</summary>
    public static SafeFd Create(string name, long size, bool allowSealing = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        uint flags = MFD_CLOEXEC | (allowSealing ? MFD_ALLOW_SEALING : 0);
        SafeFd fd = Fd.Check(LibC.memfd_create(name, flags), "memfd_create");
        try
        {
            Fd.Truncate(fd, size);
        }
        catch
        {
            fd.Dispose();
            throw;
        }

        return fd;
    }

    /// <summary>Adds seals; a sealed size means a peer can never shrink memory we have mapped.</summary>
    public static void AddSeals(SafeFd fd, MemFdSeals seals)
    {
        if (LibC.fcntl_int(fd, Flags.F_ADD_SEALS, (int)seals) < 0)
        {
            throw PosixException.FromLastError("fcntl(F_ADD_SEALS)");
        }
    }

    public static MemFdSeals GetSeals(SafeFd fd)
    {
        int seals = LibC.fcntl_int(fd, Flags.F_GET_SEALS, 0);
        return seals < 0 ? throw PosixException.FromLastError("fcntl(F_GET_SEALS)") : (MemFdSeals)seals;
    }

    /// <summary>
    /// The seals of <paramref name="fd"/>; false when it is not a file that can carry seals at all (a file
    /// outside tmpfs/hugetlbfs, a pipe, a socket: F_GET_SEALS fails with EINVAL). Other errors throw.
    /// </summary>
    public static bool TryGetSeals(SafeFd fd, out MemFdSeals seals)
    {
        int result = LibC.fcntl_int(fd, Flags.F_GET_SEALS, 0);
        if (result >= 0)
        {
            seals = (MemFdSeals)result;
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        seals = MemFdSeals.None;
        return errno == Errno.EINVAL ? false : throw new PosixException("fcntl(F_GET_SEALS)", errno);
    }

    /// <summary>
    /// Whether whoever else holds <paramref name="fd"/> can no longer shrink it (F_SEAL_SHRINK). Memory mapped
    /// from a file a peer can ftruncate raises SIGBUS on access past the new end, which kills the process, so
    /// memory received from a peer is only mapped when this holds. <paramref name="problem"/> says why not.
    /// </summary>
    public static bool IsSealedAgainstShrinking(SafeFd fd, out string problem)
    {
        if (!TryGetSeals(fd, out MemFdSeals seals))
        {
            problem = "it is not a memfd (it cannot carry seals), so its owner could truncate it under our mapping";
            return false;
        }

        if ((seals & MemFdSeals.Shrink) == 0)
        {
            problem = $"it is not sealed against shrinking (seals 0x{(int)seals:x}), so its owner could truncate it under our mapping";
            return false;
        }

        problem = string.Empty;
        return true;
    }
}
