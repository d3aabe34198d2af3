namespace Emulator.Cpu;

/// <summary>
/// A direct-mapped software TLB of 4 KiB translations with their effective rights. One table
/// serves every privilege level: a hit re-checks the rights against the current CPL, WP, SMEP,
/// SMAP and AC with <see cref="AccessRights"/>, so a CPL change needs no flush. A hit that fails
/// the check, or a write to a page whose D bit is clear, is reported as a miss: the walk then
/// sets D or produces the exact #PF from the current tables (SDM 4.10.4.3 lets hardware re-walk).
/// The owner flushes on: MOV CR3 (<see cref="FlushNonGlobal"/>), INVLPG (<see cref="Invalidate"/>),
/// and changes to CR0.PG/WP, CR4.PAE/PSE/PGE/SMEP/SMAP or EFER.NXE/LMA (<see cref="FlushAll"/>).
/// </summary>
public sealed class Tlb
{
    public const int EntryCount = 256;
    private const ulong PageMask = ~0xFFFUL;

    private readonly TlbEntry[] _entries = new TlbEntry[EntryCount];

    // The smallest aligned range covering every large page cached (QEMU's large_page_addr/mask):
    // INVLPG inside it flushes everything, since a large page is cached as many 4 KiB entries.
    private ulong _largeBase;
    private ulong _largeMask;
    private bool _hasLarge;
    private long _epoch;

    /// <summary>
    /// Counts flushes and invalidations: a translation cached outside the TLB (the interpreter's
    /// block chaining) is valid only while this is unchanged.
    /// </summary>
    public long Epoch => _epoch;

    /// <summary>Probes for <paramref name="linear"/>; on Hit or SlowPath, <paramref name="physical"/> is its address.</summary>
    public TlbLookup Lookup(ulong linear, MemoryAccess access, in PagingContext context, out ulong physical, bool implicitSupervisor = false)
    {
        ref TlbEntry e = ref _entries[Index(linear)];
        if (e.Tag != ((linear & PageMask) | 1)
            || (access == MemoryAccess.Write && (e.Permissions & PagePermissions.Dirty) == 0)
            || !AccessRights.Allows(e.Permissions, access, implicitSupervisor, context))
        {
            physical = 0;
            return TlbLookup.Miss;
        }

        physical = e.PhysicalPage | (linear & 0xFFF);
        return e.SlowPath ? TlbLookup.SlowPath : TlbLookup.Hit;
    }

    /// <summary>
    /// <see cref="Lookup"/> for an explicit data read or write on the scalar fast path: an entry already
    /// judged under <paramref name="generation"/> (a number its owner changes whenever the paging context
    /// does) answers from two cached bits; otherwise the full check runs and, on a hit, caches its verdicts.
    /// </summary>
    public TlbLookup LookupData(ulong linear, MemoryAccess access, in PagingContext context, long generation, out ulong physical)
    {
        ref TlbEntry e = ref _entries[Index(linear)];
        if (e.Tag == ((linear & PageMask) | 1) && e.Generation == generation && !e.SlowPath
            && (access == MemoryAccess.Write ? e.FastWrite : access == MemoryAccess.Read && e.FastRead))
        {
            physical = e.PhysicalPage | (linear & 0xFFF);
            return TlbLookup.Hit;
        }

        TlbLookup hit = Lookup(linear, access, context, out physical);
        if (hit != TlbLookup.Miss)
        {
            e.Generation = generation;
            e.FastRead = AccessRights.Allows(e.Permissions, MemoryAccess.Read, false, context);
            e.FastWrite = (e.Permissions & PagePermissions.Dirty) != 0 && AccessRights.Allows(e.Permissions, MemoryAccess.Write, false, context);
        }

        return hit;
    }

    /// <summary>Caches the 4 KiB piece of a successful translation that holds <paramref name="linear"/>.</summary>
    public void Insert(ulong linear, in PageTranslation translation, bool slowPath = false)
    {
        if (!translation.IsOk)
        {
            return;
        }

        if (translation.PageSize > 4096)
        {
            AddLargePage(linear & ~(translation.PageSize - 1), ~(translation.PageSize - 1));
        }

        _entries[Index(linear)] = new TlbEntry
        {
            Tag = (linear & PageMask) | 1,
            PhysicalPage = translation.PhysicalAddress & PageMask,
            Permissions = translation.Permissions,
            SlowPath = slowPath,
        };
    }

    /// <summary>Flags (or clears) the slow-path bit of a cached page; false when it is not cached.</summary>
    public bool SetSlowPath(ulong linear, bool slowPath)
    {
        ref TlbEntry e = ref _entries[Index(linear)];
        if (e.Tag != ((linear & PageMask) | 1))
        {
            return false;
        }

        e.SlowPath = slowPath;
        return true;
    }

    /// <summary>Flags (or clears) the slow-path bit of every cached page that maps <paramref name="physicalPage"/>.</summary>
    public void SetSlowPathForPhysical(ulong physicalPage, bool slowPath)
    {
        ulong page = physicalPage & PageMask;
        foreach (ref TlbEntry e in _entries.AsSpan())
        {
            if (e.Tag != 0 && e.PhysicalPage == page)
            {
                e.SlowPath = slowPath;
            }
        }
    }

    /// <summary>INVLPG: drops the page's translation, global or not (a large page: everything).</summary>
    public void Invalidate(ulong linear)
    {
        _epoch++;
        if (_hasLarge && (linear & _largeMask) == _largeBase)
        {
            FlushAll();
            return;
        }

        ref TlbEntry e = ref _entries[Index(linear)];
        if (e.Tag == ((linear & PageMask) | 1))
        {
            e = default;
        }
    }

    /// <summary>MOV CR3: drops every translation except global ones.</summary>
    public void FlushNonGlobal()
    {
        _epoch++;
        foreach (ref TlbEntry e in _entries.AsSpan())
        {
            if ((e.Permissions & PagePermissions.Global) == 0)
            {
                e = default;
            }
        }
    }

    public void FlushAll()
    {
        _epoch++;
        Array.Clear(_entries);
        _hasLarge = false;
        _largeBase = 0;
        _largeMask = 0;
    }

    private static int Index(ulong linear) => (int)((linear >> 12) & (EntryCount - 1));

    private void AddLargePage(ulong pageBase, ulong mask)
    {
        if (_hasLarge)
        {
            mask &= _largeMask;
            while (((pageBase ^ _largeBase) & mask) != 0)
            {
                mask <<= 1;
            }
        }

        _largeBase = pageBase & mask;
        _largeMask = mask;
        _hasLarge = true;
    }
}
