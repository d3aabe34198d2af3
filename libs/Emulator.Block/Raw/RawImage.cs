namespace Emulator.Block;

/// <summary>
/// A raw image: guest byte N is file byte N. A raw image whose format was probed refuses writes that
/// would make its first sector probe as another format (QEMU's protection: a guest must not turn its
/// disk into a qcow2 header pointing at host files).
/// </summary>
internal sealed class RawImage : IBlockImage
{
    private const int ZeroChunk = 1 << 20;

    private readonly HostFile file;
    private readonly bool probed;
    private readonly bool discardUnmap;
    private readonly Lock sectorZeroLock = new();

    public RawImage(HostFile file, bool probed, bool discardUnmap)
    {
        this.file = file;
        this.probed = probed;
        this.discardUnmap = discardUnmap;
        Size = (ulong)file.Length;
    }

    public ulong Size { get; }

    public bool ReadOnly => !file.Writable;

    public void Read(ulong offset, Span<byte> destination)
    {
        ImageRange.Check(offset, (ulong)destination.Length, Size);
        file.ReadAt((long)offset, destination);
    }

    public void Write(ulong offset, ReadOnlySpan<byte> source)
    {
        CheckWritable();
        ImageRange.Check(offset, (ulong)source.Length, Size);
        if (probed && offset < FormatProbe.MagicLength && !source.IsEmpty)
        {
            // The check and the write are one step, so two writers cannot each pass it with half a magic.
            lock (sectorZeroLock)
            {
                Span<byte> head = stackalloc byte[FormatProbe.MagicLength];
                file.ReadAt(0, head);
                int n = Math.Min(source.Length, FormatProbe.MagicLength - (int)offset);
                source[..n].CopyTo(head[(int)offset..]);
                if (FormatProbe.LooksLikeOtherFormat(head))
                {
                    throw new BlockImageException(
                        $"refused a write to sector 0 of probed raw image '{file.Path}': it would make the image probe as qcow2 (specify format=raw to lift this)");
                }

                file.WriteAt((long)offset, source);
            }

            return;
        }

        file.WriteAt((long)offset, source);
    }

    public void Flush() => file.Sync();

    public void Discard(ulong offset, ulong length)
    {
        CheckWritable();
        ImageRange.Check(offset, length, Size);
        if (discardUnmap)
        {
            // Discarded contents are unspecified, so a file system without hole punching just keeps them.
            _ = file.TryPunchHole((long)offset, (long)length);
        }
    }

    public void WriteZeroes(ulong offset, ulong length, bool mayUnmap)
    {
        CheckWritable();
        ImageRange.Check(offset, length, Size);
        if (probed && offset < FormatProbe.MagicLength && length > 0)
        {
            // Zeroes never form a magic; go through Write so the sector-0 lock orders it with other writers.
            int n = (int)Math.Min(length, (ulong)FormatProbe.MagicLength - offset);
            Write(offset, new byte[n]);
            offset += (ulong)n;
            length -= (ulong)n;
        }

        if (mayUnmap && discardUnmap && file.TryPunchHole((long)offset, (long)length))
        {
            return;
        }

        if (file.TryZeroRange((long)offset, (long)length))
        {
            return;
        }

        var zeroes = new byte[(int)Math.Min(length, ZeroChunk)];
        while (length > 0)
        {
            int n = (int)Math.Min(length, (ulong)zeroes.Length);
            file.WriteAt((long)offset, zeroes.AsSpan(0, n));
            offset += (ulong)n;
            length -= (ulong)n;
        }
    }

    public void Dispose() => file.Dispose();

    private void CheckWritable()
    {
        if (ReadOnly)
        {
            throw new BlockImageException($"'{file.Path}' is open read-only");
        }
    }
}
