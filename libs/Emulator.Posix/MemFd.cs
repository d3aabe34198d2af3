namespace Emulator.Posix;

/// <summary>Seals for memfd_create(MFD_ALLOW_SEALING) files (fcntl F_ADD_SEALS).</summary>
[Flags]
public enum MemFdSeals
{
    None = 0,
    Seal = 0x1,
    Shrink = 0x2,
    Grow = 0x4,
    Write = 0x8,
    FutureWrite = 0x10,
}

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
        if (LibC.fcntl_int(fd.Number, Flags.F_ADD_SEALS, (int)seals) < 0)
        {
            throw PosixException.FromLastError("fcntl(F_ADD_SEALS)");
        }
    }

    public static MemFdSeals GetSeals(SafeFd fd)
    {
        int seals = LibC.fcntl_int(fd.Number, Flags.F_GET_SEALS, 0);
        return seals < 0 ? throw PosixException.FromLastError("fcntl(F_GET_SEALS)") : (MemFdSeals)seals;
    }
}
