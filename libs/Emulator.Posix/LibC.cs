using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>
/// Raw libc entry points (Linux, x86-64). Everything here returns -1 and sets errno on failure;
/// the public wrappers turn that into <see cref="PosixException"/>. Other files of this library
/// extend this partial class with the calls they own.
/// Descriptors are passed as <see cref="SafeFd"/>: the generated marshaller holds a reference on the
/// handle for the duration of the call, so a concurrent Dispose cannot close the number (and let it be
/// reused by an unrelated open) while the call runs. Only <see cref="close"/> (for ReleaseHandle) and
/// <see cref="fcntl_number"/> (for probing a number nobody owns) take raw ints.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint read(SafeFd fd, byte* buf, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint write(SafeFd fd, byte* buf, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int pipe2(int* fds, int flags);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int fcntl_int(SafeFd fd, int cmd, int arg);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int fcntl_number(int fd, int cmd, int arg);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int memfd_create(string name, uint flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int ftruncate(SafeFd fd, long length);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int fstat(SafeFd fd, byte* statbuf);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint mmap(nint addr, nuint length, int prot, int flags, SafeFd fd, long offset);

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint mmap_anonymous(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int munmap(nint addr, nuint length);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int mprotect(nint addr, nuint length, int prot);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int madvise(nint addr, nuint length, int advice);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int eventfd(uint initval, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int poll(PollFd* fds, ulong nfds, int timeout);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int epoll_ctl(SafeFd epfd, int op, SafeFd fd, EpollEvent* ev);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int epoll_wait(SafeFd epfd, EpollEvent* events, int maxevents, int timeout);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int socketpair(int domain, int type, int protocol, int* sv);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int bind(SafeFd fd, byte* addr, uint addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int listen(SafeFd fd, int backlog);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int accept4(SafeFd fd, byte* addr, uint* addrlen, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int connect(SafeFd fd, byte* addr, uint addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int shutdown(SafeFd fd, int how);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint sendmsg(SafeFd fd, MsgHdr* msg, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint recvmsg(SafeFd fd, MsgHdr* msg, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int getsockopt(SafeFd fd, int level, int optname, byte* optval, uint* optlen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int setsockopt(SafeFd fd, int level, int optname, byte* optval, uint optlen);

    [LibraryImport(Lib, EntryPoint = "prctl", SetLastError = true)]
    internal static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib)]
    internal static partial int getpid();

    [LibraryImport(Lib)]
    internal static partial int getppid();

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int kill(int pid, int sig);
}
