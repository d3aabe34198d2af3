using System.Numerics;
using Emulator.Memory;
using Emulator.Posix;
using Emulator.Virtio;

namespace Emulator.VhostUser;

/// <summary>
/// The vhost-user dirty log (LOG_SHMFD): a bitmap in a shared memfd with one bit per 4 KiB page of guest
/// physical memory (page <c>gpa / 4096</c> is bit <c>page % 64</c> of the little-endian 64-bit word
/// <c>page / 64</c>, i.e. bit <c>page % 8</c> of byte <c>page / 8</c>, as in the spec). The back-end marks
/// with atomic OR; the consumer (the front-end, another process) takes pages with <see cref="Harvest(Action{ulong})"/>,
/// which swaps each non-zero word with 0, so every mark is reported exactly once.
/// <para>
/// Out-of-range marks: a hostile or careless front-end may give a log smaller than guest RAM. A range
/// reaching past the bitmap (or past the top of the address space) is clamped: the pages the bitmap holds
/// are marked, the rest cannot be, <see cref="Mark"/> returns false and <see cref="DroppedMarks"/> counts it,
/// so the owner can report that the log is too small. Marking never throws and never touches memory outside
/// the bitmap.
/// </para>
/// All members are thread-safe. Disposing while another thread marks is safe (the mapping is kept until
/// that mark ends; later marks are dropped), but disposing while harvesting makes the harvest throw.
/// </summary>
public sealed unsafe class DirtyLog : IGuestWriteLog, IDisposable
{
    public const ulong PageSize = 4096;

    /// <summary>Largest log accepted: enough for 52-bit guest physical addresses (x86-64's architectural maximum).</summary>
    public const ulong MaxBytes = 1UL << (52 - 12 - 3);

    private const int PageShift = 12;
    private readonly MemoryMapping _mapping;
    private readonly ulong _offset;
    private readonly ulong _words;
    private long _droppedMarks;

    private DirtyLog(SafeFd fd, MemoryMapping mapping, LogDescription description)
    {
        Fd = fd;
        _mapping = mapping;
        _offset = description.MmapOffset;
        _words = description.MmapSize / sizeof(ulong);
        Description = description;
    }

    /// <summary>The memfd holding the bitmap (what SET_LOG_BASE sends).</summary>
    public SafeFd Fd { get; }

    /// <summary>Where the bitmap lies in <see cref="Fd"/>: the SET_LOG_BASE payload.</summary>
    public LogDescription Description { get; }

    /// <summary>Bytes of guest physical address space the bitmap covers, from 0.</summary>
    public ulong CoveredBytes => _words * 64 * PageSize;

    /// <summary>How many marks reached past the bitmap (or came after disposal) and were clamped or dropped.</summary>
    public long DroppedMarks => Interlocked.Read(ref _droppedMarks);

    /// <summary>Bitmap bytes for guest RAM up to <paramref name="guestTop"/> (exclusive): one bit per page, whole 64-bit words.</summary>
    public static ulong BytesFor(ulong guestTop)
    {
        ulong pages = (guestTop / PageSize) + (guestTop % PageSize == 0 ? 0UL : 1UL);
        ulong words = (pages / 64) + (pages % 64 == 0 ? 0UL : 1UL);
        return Math.Max(words, 1) * sizeof(ulong);
    }

    /// <summary>A zeroed log covering every region of <paramref name="memory"/> (the front-end's side).</summary>
    public static DirtyLog ForMemory(GuestMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ulong top = 0;
        foreach (GuestRegion region in memory.Regions)
        {
            top = Math.Max(top, region.End);
        }

        return Create(top);
    }

    /// <summary>
    /// A zeroed log for guest RAM below <paramref name="guestTop"/>, in a fresh memfd sealed against any
    /// resize (so the back-end can map it safely).
    /// </summary>
    public static DirtyLog Create(ulong guestTop)
    {
        ulong bytes = BytesFor(guestTop);
        if (bytes > MaxBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(guestTop), $"guest RAM up to 0x{guestTop:x} needs a log larger than 0x{MaxBytes:x} bytes");
        }

        SafeFd fd = MemFd.Create("vhost-user-log", (long)bytes, allowSealing: true);
        try
        {
            MemFd.AddSeals(fd, MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Seal);
            return new DirtyLog(fd, MemoryMapping.MapShared(fd, 0, bytes), new LogDescription(bytes, 0));
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps the front-end's log (the back-end's side of SET_LOG_BASE). Checks the description first (size a
    /// non-zero multiple of 8 up to <see cref="MaxBytes"/>, offset 8-aligned so words can be updated
    /// atomically, offset + size without overflow), then that the fd is sealed against shrinking (unless
    /// <paramref name="allowUnsealed"/>) and holds offset + size bytes (fstat), so no mark can fault now or
    /// after the front-end truncates the file. Throws <see cref="VhostUserProtocolException"/> otherwise.
    /// Takes ownership of <paramref name="fd"/> on success only.
    /// </summary>
    public static DirtyLog FromFd(SafeFd fd, LogDescription description, bool allowUnsealed = false)
    {
        ArgumentNullException.ThrowIfNull(fd);
        ulong end = CheckDescription(description);

        // Seals first: once the size cannot shrink, the size checked next stays true.
        if (!allowUnsealed && !MemFd.IsSealedAgainstShrinking(fd, out string problem))
        {
            throw new VhostUserProtocolException($"dirty log refused: {problem}");
        }

        long fileSize;
        try
        {
            fileSize = Emulator.Posix.Fd.GetSize(fd);
        }
        catch (PosixException e)
        {
            throw new VhostUserProtocolException($"dirty log refused: cannot fstat its descriptor: {e.Message}", e);
        }

        if (fileSize < 0 || (ulong)fileSize < end)
        {
            throw new VhostUserProtocolException($"dirty log needs 0x{end:x} bytes of its fd, which has 0x{fileSize:x}");
        }

        try
        {
            return new DirtyLog(fd, MemoryMapping.MapShared(fd, 0, end), description);
        }
        catch (PosixException e)
        {
            throw new VhostUserProtocolException($"cannot map the dirty log: {e.Message}", e);
        }
    }

    /// <summary>The description rules of <see cref="FromFd"/> alone (pure); returns offset + size.</summary>
    public static ulong CheckDescription(LogDescription description)
    {
        if (description.MmapSize == 0 || description.MmapSize % sizeof(ulong) != 0 || description.MmapSize > MaxBytes)
        {
            throw new VhostUserProtocolException($"dirty log size 0x{description.MmapSize:x} is not a non-zero multiple of 8 up to 0x{MaxBytes:x}");
        }

        if (description.MmapOffset % sizeof(ulong) != 0)
        {
            throw new VhostUserProtocolException($"dirty log offset 0x{description.MmapOffset:x} is not 8-byte aligned");
        }

        ulong end = unchecked(description.MmapOffset + description.MmapSize);
        if (end < description.MmapOffset || end > long.MaxValue)
        {
            throw new VhostUserProtocolException($"dirty log offset 0x{description.MmapOffset:x} + size 0x{description.MmapSize:x} overflows");
        }

        return end;
    }

    /// <summary>
    /// Marks every page that [<paramref name="guestAddress"/>, +<paramref name="length"/>) touches. True when
    /// the whole range was recorded; false when part of it lay past the bitmap or the address space (the
    /// part inside is still marked) or the log was disposed. Each word is updated with an atomic OR, which
    /// is also a full fence: writes the caller made before marking are visible to whoever harvests the mark.
    /// </summary>
    public bool Mark(ulong guestAddress, ulong length)
    {
        if (length == 0)
        {
            return true;
        }

        bool complete = true;
        ulong last = unchecked(guestAddress + (length - 1));
        if (last < guestAddress)
        {
            last = ulong.MaxValue;
            complete = false;
        }

        ulong pages = _words * 64;
        ulong firstPage = guestAddress >> PageShift;
        ulong lastPage = last >> PageShift;
        if (firstPage >= pages)
        {
            return Dropped();
        }

        if (lastPage >= pages)
        {
            lastPage = pages - 1;
            complete = false;
        }

        bool added = false;
        try
        {
            _mapping.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return Dropped();
        }

        try
        {
            ulong* words = Words;
            for (ulong word = firstPage / 64; word <= lastPage / 64; word++)
            {
                int low = word == firstPage / 64 ? (int)(firstPage % 64) : 0;
                int high = word == lastPage / 64 ? (int)(lastPage % 64) : 63;
                ulong mask = (ulong.MaxValue >> (63 - high)) & (ulong.MaxValue << low);

                // SAFETY: word <= lastPage / 64 < _words, so the word lies inside the mapped bitmap, which
                // the reference taken above keeps mapped; the offset is 8-aligned, so the OR is atomic.
                Interlocked.Or(ref words[word], mask);
            }
        }
        finally
        {
            if (added)
            {
                _mapping.DangerousRelease();
            }
        }

        return complete || Dropped();
    }

    /// <summary>The <see cref="IGuestWriteLog"/> entry point: <see cref="Mark"/>, ignoring the result (counted in <see cref="DroppedMarks"/>).</summary>
    public void LogWrite(ulong guestAddress, ulong length) => Mark(guestAddress, length);

    /// <summary>
    /// The consumer side: takes every dirty page (clearing its bit) and calls <paramref name="onDirtyPage"/>
    /// with the page's guest-physical address, in ascending order. A page marked while the harvest runs is
    /// reported by this harvest or by the next one, never by both and never lost. Returns how many pages.
    /// The callback must not throw: pages already taken from the bitmap would be lost.
    /// </summary>
    public int Harvest(Action<ulong> onDirtyPage)
    {
        ArgumentNullException.ThrowIfNull(onDirtyPage);
        bool added = false;
        _mapping.DangerousAddRef(ref added);
        try
        {
            int count = 0;
            ulong* words = Words;
            for (ulong i = 0; i < _words; i++)
            {
                // SAFETY: i < _words, inside the bitmap the reference above keeps mapped; 8-aligned for the atomics.
                ref ulong word = ref words[i];
                if (Volatile.Read(ref word) == 0)
                {
                    continue;
                }

                ulong bits = Interlocked.Exchange(ref word, 0);
                while (bits != 0)
                {
                    ulong page = (i * 64) + (ulong)BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    onDirtyPage(page << PageShift);
                    count++;
                }
            }

            return count;
        }
        finally
        {
            if (added)
            {
                _mapping.DangerousRelease();
            }
        }
    }

    /// <summary>As <see cref="Harvest(Action{ulong})"/>, collecting the page addresses.</summary>
    public IReadOnlyList<ulong> Harvest()
    {
        List<ulong> pages = [];
        Harvest(pages.Add);
        return pages;
    }

    /// <summary>Whether the page holding <paramref name="guestAddress"/> is marked, without taking it (for checks and tests).</summary>
    public bool IsDirty(ulong guestAddress)
    {
        ulong page = guestAddress >> PageShift;
        if (page >= _words * 64)
        {
            return false;
        }

        bool added = false;
        _mapping.DangerousAddRef(ref added);
        try
        {
            // SAFETY: page / 64 < _words, inside the bitmap the reference above keeps mapped.
            return (Volatile.Read(ref Words[page / 64]) & (1UL << (int)(page % 64))) != 0;
        }
        finally
        {
            if (added)
            {
                _mapping.DangerousRelease();
            }
        }
    }

    public void Dispose()
    {
        _mapping.Dispose();
        Fd.Dispose();
    }

    // SAFETY: callers hold a reference on the mapping; _offset + _words * 8 <= the mapping's length (checked at creation).
    private ulong* Words => (ulong*)(_mapping.Pointer + _offset);

    private bool Dropped()
    {
        Interlocked.Increment(ref _droppedMarks);
        return false;
    }
}
