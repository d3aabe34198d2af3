using System.Runtime.InteropServices;
using Emulator.Posix;

namespace Emulator.Block;

/// <summary>
/// An image file on the host: positioned reads and writes (past the end reads as zeroes), fdatasync,
/// hole punching. With O_DIRECT every request is bounced through a block-aligned buffer, so callers
/// never care about alignment; unaligned direct writes are read-modify-write under a lock.
/// </summary>
internal sealed unsafe class HostFile : IDisposable
{
    private const int DirectAlign = 4096;
    private const int MaxChunk = 1 << 20;
    private const int StatSize = 144;
    private const int StatBlocksOffset = 64;
    private const int StatModeOffset = 24;
    private const uint FileTypeMask = 0xF000;
    private const uint DirectoryType = 0x4000;

    private readonly SafeFd fd;
    private readonly bool direct;
    private readonly Lock directWriteLock = new();

    private HostFile(SafeFd fd, string path, bool writable, bool direct)
    {
        this.fd = fd;
        Path = path;
        Writable = writable;
        this.direct = direct;
    }

    public string Path { get; }

    public bool Writable { get; }

    public SafeFd Descriptor => fd;

    public static HostFile Open(string path, bool writable, bool direct)
    {
        int flags = (writable ? OpenFlags.ReadWrite : OpenFlags.ReadOnly) | OpenFlags.CloseOnExec | (direct ? BlockLibC.O_DIRECT : 0);
        while (true)
        {
            int n = BlockLibC.open(path, flags, 0);
            if (n >= 0)
            {
                var file = new HostFile(new SafeFd(n), path, writable, direct);
                if ((StatMode(file) & FileTypeMask) == DirectoryType)
                {
                    file.Dispose();
                    throw new BlockImageException($"'{path}' is a directory, not a disk image");
                }

                return file;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR)
            {
                continue;
            }

            if (direct && errno == Errno.EINVAL)
            {
                throw new BlockImageException(
                    $"cache=none: the file system holding '{path}' does not support O_DIRECT; use cache=writeback");
            }

            throw new BlockImageException(
                $"Could not open '{path}'{(writable ? " for writing" : "")}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>Creates (or truncates) a file for a new image.</summary>
    public static HostFile Create(string path)
    {
        int n = BlockLibC.open(path, OpenFlags.ReadWrite | OpenFlags.Create | OpenFlags.Truncate | OpenFlags.CloseOnExec, 0x1A4 /* 0644 */);
        if (n < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new BlockImageException($"Could not create '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        return new HostFile(new SafeFd(n), path, writable: true, direct: false);
    }

    public long Length
    {
        get
        {
            long n = BlockLibC.lseek(fd, 0, BlockLibC.SEEK_END);
            return n >= 0 ? n : throw Failure("lseek");
        }
    }

    /// <summary>Bytes the file occupies on the host (st_blocks * 512), for "disk size".</summary>
    public long AllocatedBytes
    {
        get
        {
            // SAFETY: the buffer is the size of the x86-64 struct stat fstat fills; the field read lies inside it.
            byte* stat = stackalloc byte[StatSize];
            return BlockLibC.fstat(fd, stat) == 0 ? *(long*)(stat + StatBlocksOffset) * 512 : throw Failure("fstat");
        }
    }

    private static uint StatMode(HostFile file)
    {
        // SAFETY: as in AllocatedBytes; st_mode is the u32 at StatModeOffset, inside the buffer.
        byte* stat = stackalloc byte[StatSize];
        return BlockLibC.fstat(file.fd, stat) == 0 ? *(uint*)(stat + StatModeOffset) : throw file.Failure("fstat");
    }

    public void ReadAt(long offset, Span<byte> destination)
    {
        if (direct)
        {
            DirectRead(offset, destination);
            return;
        }

        // SAFETY: the pointer covers exactly destination, which stays pinned for the call.
        fixed (byte* p = destination)
        {
            ReadRaw(offset, p, destination.Length);
        }
    }

    public void WriteAt(long offset, ReadOnlySpan<byte> source)
    {
        if (direct)
        {
            lock (directWriteLock)
            {
                DirectWrite(offset, source);
            }

            return;
        }

        // SAFETY: the pointer covers exactly source, which stays pinned for the call.
        fixed (byte* p = source)
        {
            WriteRaw(offset, p, source.Length);
        }
    }

    public void Sync()
    {
        if (BlockLibC.fdatasync(fd) != 0)
        {
            throw Failure("fdatasync");
        }
    }

    public void SetLength(long length)
    {
        if (BlockLibC.ftruncate(fd, length) != 0)
        {
            throw Failure("ftruncate");
        }
    }

    /// <summary>Deallocates the range (it reads as zeroes); false when the file system cannot.</summary>
    public bool TryPunchHole(long offset, long length) =>
        TryFallocate(BlockLibC.FALLOC_FL_PUNCH_HOLE | BlockLibC.FALLOC_FL_KEEP_SIZE, offset, length);

    /// <summary>Makes the range read as zeroes keeping it allocated; false when the file system cannot.</summary>
    public bool TryZeroRange(long offset, long length) =>
        TryFallocate(BlockLibC.FALLOC_FL_ZERO_RANGE | BlockLibC.FALLOC_FL_KEEP_SIZE, offset, length);

    public void Dispose() => fd.Dispose();

    private bool TryFallocate(int mode, long offset, long length)
    {
        if (length == 0)
        {
            return true;
        }

        while (BlockLibC.fallocate(fd, mode, offset, length) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR)
            {
                continue;
            }

            if (errno is BlockLibC.EOPNOTSUPP or Errno.ENOSYS or Errno.EINVAL)
            {
                return false;
            }

            throw new BlockImageException($"fallocate on '{Path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        return true;
    }

    private void ReadRaw(long offset, byte* p, int length)
    {
        int done = 0;
        while (done < length)
        {
            nint n = BlockLibC.pread(fd, p + done, (nuint)(length - done), offset + done);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Errno.EINTR)
                {
                    continue;
                }

                throw Failure("pread");
            }

            if (n == 0)
            {
                // Past the end of the file: an image reads zeroes there (a sparse tail, a qcow2 cluster
                // allocated but not yet written).
                new Span<byte>(p + done, length - done).Clear();
                return;
            }

            done += (int)n;
        }
    }

    private void WriteRaw(long offset, byte* p, int length)
    {
        int done = 0;
        while (done < length)
        {
            nint n = BlockLibC.pwrite(fd, p + done, (nuint)(length - done), offset + done);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Errno.EINTR)
                {
                    continue;
                }

                throw Failure("pwrite");
            }

            done += (int)n;
        }
    }

    private void DirectRead(long offset, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            long start = offset & ~(long)(DirectAlign - 1);
            int head = (int)(offset - start);
            int take = Math.Min(destination.Length, MaxChunk - head);
            int span = AlignUp(head + take);
            byte* bounce = (byte*)NativeMemory.AlignedAlloc((nuint)span, DirectAlign);
            try
            {
                // SAFETY: bounce holds span bytes, aligned as O_DIRECT needs; the copy reads head..head+take < span.
                ReadRaw(start, bounce, span);
                new ReadOnlySpan<byte>(bounce + head, take).CopyTo(destination);
            }
            finally
            {
                NativeMemory.AlignedFree(bounce);
            }

            offset += take;
            destination = destination[take..];
        }
    }

    private void DirectWrite(long offset, ReadOnlySpan<byte> source)
    {
        long length = Length;
        long end = offset + source.Length;
        while (!source.IsEmpty)
        {
            long start = offset & ~(long)(DirectAlign - 1);
            int head = (int)(offset - start);
            int take = Math.Min(source.Length, MaxChunk - head);
            int span = AlignUp(head + take);
            byte* bounce = (byte*)NativeMemory.AlignedAlloc((nuint)span, DirectAlign);
            try
            {
                // SAFETY: bounce holds span bytes; the partial blocks at either end are read back first
                // (read-modify-write), then the caller's bytes land at head..head+take < span.
                if (head != 0 || take != span)
                {
                    ReadRaw(start, bounce, DirectAlign);
                    ReadRaw(start + span - DirectAlign, bounce + span - DirectAlign, DirectAlign);
                }

                source[..take].CopyTo(new Span<byte>(bounce + head, take));
                WriteRaw(start, bounce, span);
            }
            finally
            {
                NativeMemory.AlignedFree(bounce);
            }

            offset += take;
            source = source[take..];
        }

        // A rounded-up tail block must not grow the file past what was asked.
        long wanted = Math.Max(length, end);
        if (Length > wanted)
        {
            SetLength(wanted);
        }
    }

    private static int AlignUp(int n) => (n + DirectAlign - 1) & ~(DirectAlign - 1);

    private BlockImageException Failure(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new BlockImageException($"{call} on '{Path}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
