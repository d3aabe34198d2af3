namespace Emulator.Block;

/// <summary>
/// A disk image as the guest sees it: a linear run of bytes of <see cref="Size"/>, whatever the
/// format underneath (raw file, qcow2 with its backing chain). The virtio-blk device speaks only
/// this; formats live behind it. Offsets and lengths are in bytes and need not be sector aligned.
/// Implementations are safe to call from several threads at once (one per virtqueue).
/// A failure of the host file is a <see cref="BlockImageException"/> (the device answers IOERR);
/// a request outside <see cref="Size"/> is an <see cref="ArgumentOutOfRangeException"/>.
/// </summary>
public interface IBlockImage : IDisposable
{
    /// <summary>The virtual disk size in bytes.</summary>
    ulong Size { get; }

    /// <summary>Opened without write access: every write, discard or write-zeroes throws <see cref="BlockImageException"/>.</summary>
    bool ReadOnly { get; }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; unallocated ranges read as zeroes (or from the backing image).</summary>
    void Read(ulong offset, Span<byte> destination);

    void Write(ulong offset, ReadOnlySpan<byte> source);

    /// <summary>Everything written before this call is on stable storage when it returns (fdatasync of every file that holds it).</summary>
    void Flush();

    /// <summary>The range's contents become unspecified and its space may be returned to the host.</summary>
    void Discard(ulong offset, ulong length);

    /// <summary>The range reads as zeroes; <paramref name="mayUnmap"/>: it may also be deallocated.</summary>
    void WriteZeroes(ulong offset, ulong length, bool mayUnmap);
}
