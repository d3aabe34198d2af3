using Emulator.Memory;

namespace Emulator.Virtio;

/// <summary>
/// A position in a list of validated guest buffers, shared by the chain reader and writer.
/// Never steps past <see cref="Remaining"/>, which may end inside a buffer after a split.
/// </summary>
internal sealed class BufferCursor
{
    private readonly GuestMemory _memory;
    private readonly IGuestWriteLog? _log;
    private Descriptor[] _buffers;
    private int _index;
    private uint _offset;

    public BufferCursor(GuestMemory memory, Descriptor[] buffers, IGuestWriteLog? log = null)
    {
        _memory = memory;
        _log = log;
        _buffers = buffers;
        foreach (Descriptor b in buffers)
        {
            Remaining += b.Length;
        }
    }

    public ulong Remaining { get; private set; }

    /// <summary>Copies up to destination.Length bytes out of the guest; returns how many.</summary>
    public int CopyOut(Span<byte> destination)
    {
        int copied = 0;
        while (!destination.IsEmpty && Remaining != 0)
        {
            (ulong address, int n) = NextPiece((ulong)destination.Length);
            _memory.Read(address, destination[..n]);
            destination = destination[n..];
            copied += n;
            Advance((uint)n);
        }

        return copied;
    }

    /// <summary>
    /// Copies all of source into the guest; the caller has checked it fits. Each piece is logged after it
    /// is written, so a consumer that sees the log entry also sees the bytes.
    /// </summary>
    public void CopyIn(ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            (ulong address, int n) = NextPiece((ulong)source.Length);
            _memory.Write(address, source[..n]);
            _log?.LogWrite(address, (ulong)n);
            source = source[n..];
            Advance((uint)n);
        }
    }

    /// <summary>Moves forward count bytes; the caller has checked count &lt;= Remaining.</summary>
    public void Skip(ulong count)
    {
        while (count != 0)
        {
            (_, int n) = NextPiece(count);
            count -= (ulong)n;
            Advance((uint)n);
        }
    }

    /// <summary>
    /// Cuts the last count bytes off this cursor and returns a cursor over them; count &lt;= Remaining.
    /// </summary>
    public BufferCursor SplitAtEnd(ulong count)
    {
        List<Descriptor> front = [];
        List<Descriptor> back = [];
        ulong keep = Remaining - count;
        ulong left = Remaining;
        uint offset = _offset;
        for (int i = _index; left != 0; i++)
        {
            Descriptor b = _buffers[i];
            ulong available = Math.Min(b.Length - offset, left);
            ulong start = b.Address + offset;
            ulong toFront = Math.Min(keep, available);
            if (toFront != 0)
            {
                front.Add(b with { Address = start, Length = (uint)toFront });
            }

            if (available > toFront)
            {
                back.Add(b with { Address = start + toFront, Length = (uint)(available - toFront) });
            }

            keep -= toFront;
            left -= available;
            offset = 0;
        }

        _buffers = [.. front];
        _index = 0;
        _offset = 0;
        Remaining -= count;
        return new BufferCursor(_memory, [.. back], _log);
    }

    /// <summary>The guest address and length of the next contiguous piece, at most max bytes.</summary>
    private (ulong Address, int Length) NextPiece(ulong max)
    {
        Descriptor b = _buffers[_index];
        ulong n = Math.Min(Math.Min(b.Length - _offset, Remaining), Math.Min(max, int.MaxValue));
        return (b.Address + _offset, (int)n);
    }

    private void Advance(uint n)
    {
        _offset += n;
        Remaining -= n;
        if (_offset == _buffers[_index].Length)
        {
            _index++;
            _offset = 0;
        }
    }
}
