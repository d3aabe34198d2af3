using System.Collections.Concurrent;

namespace Emulator.Cpu;

/// <summary>
/// Which physical 4 KiB pages hold decoded code, and which code has been written since it was
/// decoded. The vCPU thread marks pages as it decodes (<see cref="MarkCode"/>) and drains the writes
/// before each block (<see cref="TryTakeWrite"/>); the memory implementations report guest writes
/// to marked pages (<see cref="NotifyWrite"/>), and anyone on any thread (device servers' dirty
/// logs, DMA, a debugger) reports writes with <see cref="InvalidatePhysical"/>. A reported write
/// takes effect before the vCPU starts its next block.
/// The marks are owned by the vCPU thread; other threads only enqueue ranges.
/// </summary>
public sealed class CodePageTracker
{
    public const int PageShift = 12;

    private const ulong PageSize = 1UL << PageShift;
    private const ulong PageMask = PageSize - 1;

    // Pages below the bitmap's end are one bit each; the rest (code in MMIO ROMs high up) in a set.
    private readonly ulong[] _bitmap;
    private readonly ulong _bitmapPages;
    private readonly HashSet<ulong> _highPages = [];
    private readonly ConcurrentQueue<(ulong Address, ulong Length)> _writes = new();
    private int _pending;

    /// <summary><paramref name="physicalEnd"/>: the end of RAM; pages past it are tracked too, just less compactly.</summary>
    public CodePageTracker(ulong physicalEnd)
    {
        _bitmapPages = Math.Min(physicalEnd, 1UL << 40) >> PageShift;
        _bitmap = new ulong[(_bitmapPages + 63) / 64];
    }

    /// <summary>Raised on the vCPU thread when a page becomes (true) or stops being (false) a code page.</summary>
    public event Action<ulong, bool>? CodePageChanged;

    /// <summary>Whether a write was reported and not yet drained; a plain read the vCPU makes after every instruction.</summary>
    public bool HasPendingWrites => Volatile.Read(ref _pending) != 0;

    public bool IsCode(ulong physical)
    {
        ulong page = physical >> PageShift;
        if (page < _bitmapPages)
        {
            return (_bitmap[page >> 6] & (1UL << (int)(page & 63))) != 0;
        }

        return _highPages.Count != 0 && _highPages.Contains(page);
    }

    /// <summary>
    /// Whether any page of [address, address+length) holds code (a range past the top of the address
    /// space stops there). Conservatively true for huge ranges, which are not worth scanning.
    /// </summary>
    public bool AnyCode(ulong address, ulong length)
    {
        if (length == 0)
        {
            return false;
        }

        ulong last = (address + (length - 1)) >> PageShift;
        if (last < address >> PageShift)
        {
            last = ulong.MaxValue >> PageShift;
        }

        if (last - (address >> PageShift) > 1 << 16)
        {
            return true;
        }

        for (ulong page = address >> PageShift; ; page++)
        {
            if (IsCode(page << PageShift))
            {
                return true;
            }

            if (page >= last)
            {
                return false;
            }
        }
    }

    /// <summary>vCPU thread: the page holding <paramref name="physical"/> now has decoded code.</summary>
    public void MarkCode(ulong physical)
    {
        if (IsCode(physical))
        {
            return;
        }

        ulong page = physical >> PageShift;
        if (page < _bitmapPages)
        {
            _bitmap[page >> 6] |= 1UL << (int)(page & 63);
        }
        else
        {
            _highPages.Add(page);
        }

        CodePageChanged?.Invoke(page << PageShift, true);
    }

    /// <summary>vCPU thread: the page's blocks are gone, so writes to it need no tracking until code is decoded there again.</summary>
    public void UnmarkCode(ulong physical)
    {
        if (!IsCode(physical))
        {
            return;
        }

        ulong page = physical >> PageShift;
        if (page < _bitmapPages)
        {
            _bitmap[page >> 6] &= ~(1UL << (int)(page & 63));
        }
        else
        {
            _highPages.Remove(page);
        }

        CodePageChanged?.Invoke(page << PageShift, false);
    }

    /// <summary>vCPU thread: the guest wrote [address, address+length); queued only when it touches code.</summary>
    public void NotifyWrite(ulong address, ulong length)
    {
        // The common case, a scalar store inside one page: one bit to test.
        if ((address & PageMask) + length <= PageSize && length != 0)
        {
            if (IsCode(address))
            {
                Enqueue(address, length);
            }

            return;
        }

        if (AnyCode(address, length))
        {
            Enqueue(address, length);
        }
    }

    /// <summary>
    /// Any thread: guest physical memory [address, address+length) changed behind the vCPU's back;
    /// decoded code there is dropped before the vCPU runs its next block.
    /// </summary>
    public void InvalidatePhysical(ulong address, ulong length)
    {
        if (length != 0)
        {
            Enqueue(address, length);
        }
    }

    /// <summary>vCPU thread: the next reported write, oldest first.</summary>
    public bool TryTakeWrite(out ulong address, out ulong length)
    {
        Volatile.Write(ref _pending, 0);
        if (_writes.TryDequeue(out (ulong Address, ulong Length) write))
        {
            // More may follow; keep the flag up until the queue is seen empty.
            Volatile.Write(ref _pending, 1);
            (address, length) = write;
            return true;
        }

        address = 0;
        length = 0;
        return false;
    }

    private void Enqueue(ulong address, ulong length)
    {
        _writes.Enqueue((address, length));
        Volatile.Write(ref _pending, 1);
    }
}
