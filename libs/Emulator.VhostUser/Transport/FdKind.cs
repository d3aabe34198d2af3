namespace Emulator.VhostUser;

/// <summary>
/// What kind of file a received descriptor is, read from /proc/self/fd. A front-end could pass a regular
/// file where an eventfd belongs, which would make a ring worker spin; such descriptors are refused.
/// </summary>
public static class FdKind
{
    public static bool IsEventFd(Emulator.Posix.SafeFd fd) => Target(fd) == "anon_inode:[eventfd]";

    public static bool IsSocket(Emulator.Posix.SafeFd fd) => Target(fd)?.StartsWith("socket:", StringComparison.Ordinal) == true;

    private static string? Target(Emulator.Posix.SafeFd fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd.Number}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
