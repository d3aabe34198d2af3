using System.Runtime.InteropServices;
using Emulator.Posix;

namespace Emulator.Block;

/// <summary>
/// QEMU's image locking (block/file-posix.c, raw_apply_lock_bytes / raw_check_lock_bytes): shared OFD
/// locks on single bytes, byte 100+bit for each permission the opener holds (RAW_LOCK_PERM_BASE) and
/// 200+bit for each permission it does not share with others (RAW_LOCK_SHARED_BASE). An opener then
/// tests whether anyone else holds the bytes that conflict with it. Permission bits are QEMU's
/// BLK_PERM_*: 0 consistent-read, 1 write, 2 write-unchanged, 3 resize, 4 graph-mod.
/// Because the locks live on the open file description, they go when the descriptor closes.
/// </summary>
internal static unsafe class ImageLock
{
    private const int PermBase = 100;
    private const int SharedBase = 200;
    private const int PermCount = 5;
    private const int ConsistentRead = 1 << 0;
    private const int Write = 1 << 1;
    private const int Resize = 1 << 3;
    private const int GraphMod = 1 << 4;

    private static readonly string[] Names = ["consistent read", "write", "write unchanged", "resize", "change children"];

    /// <summary>Takes the locks a guest disk holds (a writer: read, write, resize; never shares write or resize).</summary>
    public static void Acquire(HostFile file, bool writable)
    {
        int perm = writable ? ConsistentRead | Write | Resize : ConsistentRead;
        int unshared = Write | Resize | GraphMod;
        for (int i = 0; i < PermCount; i++)
        {
            if ((perm & (1 << i)) != 0)
            {
                SetReadLock(file, PermBase + i);
            }

            if ((unshared & (1 << i)) != 0)
            {
                SetReadLock(file, SharedBase + i);
            }
        }

        for (int i = 0; i < PermCount; i++)
        {
            // We want permission i: nobody may be refusing to share it.
            if ((perm & (1 << i)) != 0 && HeldByOthers(file, SharedBase + i))
            {
                throw Conflict(file, i);
            }

            // We refuse to share permission i: nobody may hold it.
            if ((unshared & (1 << i)) != 0 && HeldByOthers(file, PermBase + i))
            {
                throw Conflict(file, i);
            }
        }
    }

    private static BlockImageException Conflict(HostFile file, int bit) =>
        new($"Failed to get \"{Names[bit]}\" lock on '{file.Path}': is another process using the image?");

    private static void SetReadLock(HostFile file, int offset)
    {
        var request = new Flock { Type = BlockLibC.F_RDLCK, Whence = 0, Start = offset, Length = 1 };

        // SAFETY: request is a local struct of the x86-64 struct flock layout, alive for the call.
        if (BlockLibC.fcntl_lock(file.Descriptor, BlockLibC.F_OFD_SETLK, &request) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is Errno.EAGAIN or Errno.EACCES)
            {
                throw new BlockImageException($"Failed to lock byte {offset} of '{file.Path}': is another process using the image?");
            }

            throw new BlockImageException($"Failed to lock '{file.Path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    private static bool HeldByOthers(HostFile file, int offset)
    {
        var probe = new Flock { Type = BlockLibC.F_WRLCK, Whence = 0, Start = offset, Length = 1 };

        // SAFETY: as in SetReadLock; F_OFD_GETLK rewrites the struct in place.
        if (BlockLibC.fcntl_lock(file.Descriptor, BlockLibC.F_OFD_GETLK, &probe) != 0)
        {
            throw new BlockImageException($"Failed to test the lock on '{file.Path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return probe.Type != BlockLibC.F_UNLCK;
    }
}
