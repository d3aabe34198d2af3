using System.Diagnostics.CodeAnalysis;

namespace Emulator.Memory;

/// <summary>
/// Walks [address, address+length) region by region: each step yields the region holding the cursor
/// and how many bytes of the range it holds (at most int.MaxValue, so the count fits a span). The one
/// place that splits a guest range across regions; callers check the range first with
/// <see cref="GuestMemory.IsValidRange"/>, and an unbacked byte met anyway throws.
/// </summary>
internal struct GuestSegments
{
    private readonly GuestMemory _memory;
    private readonly ulong _end;
    private ulong _cursor;

    /// <summary>The caller guarantees address + length does not wrap (IsValidRange checked it).</summary>
    public GuestSegments(GuestMemory memory, ulong address, ulong length)
    {
        _memory = memory;
        _cursor = address;
        _end = address + length;
    }

    /// <summary>The next piece, or false when the range is done.</summary>
    public bool MoveNext([NotNullWhen(true)] out GuestRegion? region, out ulong address, out int length)
    {
        address = _cursor;
        if (_cursor >= _end)
        {
            region = null;
            length = 0;
            return false;
        }

        region = _memory.FindRegion(_cursor) ?? throw new GuestMemoryException(_cursor, _end - _cursor);
        length = (int)Math.Min(Math.Min(_end - _cursor, region.End - _cursor), int.MaxValue);
        _cursor += (ulong)length;
        return true;
    }
}
