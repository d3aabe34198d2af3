using Emulator.Virtio;

namespace Emulator.VirtioBlock;

/// <summary>
/// The guest ranges behind a window of a chain's readable or writable byte stream: the data of a
/// request without its header or status byte, however the driver split or merged the buffers.
/// Pure over the validated buffer list; each piece is at most <see cref="MaxPiece"/> bytes.
/// </summary>
public static class ChainWindow
{
    /// <summary>Caps one host I/O call (spans are int-sized, and a huge call would hold the ring).</summary>
    public const uint MaxPiece = 1u << 20;

    public static List<(ulong Address, uint Length)> Pieces(IReadOnlyList<Descriptor> buffers, bool writable, ulong start, ulong length)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        List<(ulong, uint)> pieces = [];
        ulong position = 0;
        ulong end = start + length;
        foreach (Descriptor b in buffers)
        {
            if (b.IsWritable != writable)
            {
                continue;
            }

            ulong from = Math.Max(position, start);
            ulong to = Math.Min(position + b.Length, end);
            for (ulong at = from; at < to; at += MaxPiece)
            {
                pieces.Add((b.Address + (at - position), (uint)Math.Min(MaxPiece, to - at)));
            }

            position += b.Length;
            if (position >= end)
            {
                break;
            }
        }

        return pieces;
    }

    /// <summary>The guest address of the last byte of the last buffer (the status byte), or null when it is not writable.</summary>
    public static ulong? StatusAddress(IReadOnlyList<Descriptor> buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        return buffers.Count > 0 && buffers[^1].IsWritable ? buffers[^1].Address + buffers[^1].Length - 1 : null;
    }
}
