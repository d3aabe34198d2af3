namespace Emulator.Posix;

/// <summary>
/// What kind of file a descriptor is. A peer can pass any descriptor where an eventfd or a socket
/// belongs (a regular file as a "kick" would make a ring worker spin, a pipe as "memory" cannot be
/// mapped), so received descriptors are checked with this before use. Anonymous inodes (eventfd,
/// epoll) have no file type in st_mode: they are told apart by their /proc/self/fd link.
/// </summary>
public static class FdInfo
{
    private const uint TypeMask = 0xF000;

    public static DescriptorKind GetKind(SafeFd fd)
    {
        string? link = LinkTarget(fd);
        if (link is not null && link.StartsWith("anon_inode:", StringComparison.Ordinal))
        {
            return link switch
            {
                "anon_inode:[eventfd]" => DescriptorKind.EventFd,
                "anon_inode:[eventpoll]" => DescriptorKind.Epoll,
                _ => DescriptorKind.Unknown,
            };
        }

        return (FileKind)(Fd.Stat(fd).Mode & TypeMask) switch
        {
            FileKind.Socket => DescriptorKind.Socket,
            FileKind.Fifo => DescriptorKind.Pipe,
            FileKind.Directory => DescriptorKind.Directory,
            FileKind.BlockDevice => DescriptorKind.BlockDevice,
            FileKind.CharacterDevice => Terminal.IsTerminal(fd) ? DescriptorKind.Terminal : DescriptorKind.CharacterDevice,
            FileKind.Regular => IsMemFd(link, fd) ? DescriptorKind.MemFd : DescriptorKind.RegularFile,
            _ => DescriptorKind.Unknown,
        };
    }

    public static bool IsEventFd(SafeFd fd) => GetKind(fd) == DescriptorKind.EventFd;

    public static bool IsSocket(SafeFd fd) => GetKind(fd) == DescriptorKind.Socket;

    public static bool IsMemFd(SafeFd fd) => GetKind(fd) == DescriptorKind.MemFd;

    /// <summary>memfd links read "/memfd:NAME (deleted)"; a real file of that name on disk cannot carry seals.</summary>
    private static bool IsMemFd(string? link, SafeFd fd) =>
        link is not null && link.StartsWith("/memfd:", StringComparison.Ordinal) && MemFd.TryGetSeals(fd, out _);

    /// <summary>The /proc/self/fd link, read while holding a reference so the number cannot be reused meanwhile.</summary>
    private static string? LinkTarget(SafeFd fd)
    {
        bool referenced = false;
        try
        {
            fd.DangerousAddRef(ref referenced);
            return new FileInfo($"/proc/self/fd/{(int)fd.DangerousGetHandle()}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        finally
        {
            if (referenced)
            {
                fd.DangerousRelease();
            }
        }
    }
}
