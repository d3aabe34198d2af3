namespace Emulator.Posix;

/// <summary>What an open descriptor refers to, as far as this project needs to tell (see <see cref="FdInfo"/>).</summary>
public enum DescriptorKind
{
    /// <summary>Something else (another anonymous inode kind, a symlink opened with O_PATH, ...).</summary>
    Unknown,
    EventFd,
    Epoll,
    Socket,

    /// <summary>A memfd_create file (a regular tmpfs/hugetlbfs file without a name on disk).</summary>
    MemFd,
    RegularFile,
    Directory,
    Pipe,

    /// <summary>A character device that is a terminal (isatty).</summary>
    Terminal,
    CharacterDevice,
    BlockDevice,
}
