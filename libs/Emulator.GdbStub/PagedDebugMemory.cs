using Emulator.Cpu;
using Emulator.Memory;

namespace Emulator.GdbStub;

/// <summary>
/// Translates through the vCPU's current paging mode (<see cref="PagedMemory.TryTranslate"/>, as a
/// supervisor, so user and supervisor pages both read), page by page; every page is translated before
/// any byte moves. A page that is unmapped or outside guest RAM fails the whole access.
/// </summary>
public sealed class PagedDebugMemory(GuestMemory memory, PagedMemory paging) : IDebugMemory
{
    private const ulong PageSize = 4096;

    public bool TryRead(ulong linear, Span<byte> destination)
    {
        if (!AllMapped(linear, destination.Length))
        {
            return false;
        }

        int done = 0;
        while (done < destination.Length)
        {
            ulong at = linear + (ulong)done;
            int chunk = Chunk(at, destination.Length - done);
            if (!paging.TryTranslate(at, MemoryAccess.Read, out ulong physical, out _, implicitSupervisor: true)
                || !memory.TryRead(physical, destination.Slice(done, chunk)))
            {
                return false;
            }

            done += chunk;
        }

        return true;
    }

    public bool TryWrite(ulong linear, ReadOnlySpan<byte> source)
    {
        if (!AllMapped(linear, source.Length))
        {
            return false;
        }

        int done = 0;
        while (done < source.Length)
        {
            ulong at = linear + (ulong)done;
            int chunk = Chunk(at, source.Length - done);

            // A read translation: the debugger may patch read-only code pages.
            if (!paging.TryTranslate(at, MemoryAccess.Read, out ulong physical, out _, implicitSupervisor: true)
                || !memory.TryWrite(physical, source.Slice(done, chunk)))
            {
                return false;
            }

            done += chunk;
        }

        return true;
    }

    private bool AllMapped(ulong linear, int length)
    {
        for (int done = 0; done < length;)
        {
            ulong at = linear + (ulong)done;
            int chunk = Chunk(at, length - done);
            if (!paging.TryTranslate(at, MemoryAccess.Read, out ulong physical, out _, implicitSupervisor: true)
                || !memory.IsValidRange(physical, (ulong)chunk))
            {
                return false;
            }

            done += chunk;
        }

        return true;
    }

    private static int Chunk(ulong at, int remaining) => (int)Math.Min((ulong)remaining, PageSize - (at & (PageSize - 1)));
}
