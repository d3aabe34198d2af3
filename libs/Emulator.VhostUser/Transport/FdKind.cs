using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// Kept for callers written against it; forwards to <see cref="FdInfo"/> in Emulator.Posix, which new code
/// should use directly. A front-end could pass a regular file where an eventfd belongs, which would make a
/// ring worker spin; such descriptors are refused.
/// </summary>
public static class FdKind
{
    public static bool IsEventFd(SafeFd fd) => FdInfo.IsEventFd(fd);

    public static bool IsSocket(SafeFd fd) => FdInfo.IsSocket(fd);
}
