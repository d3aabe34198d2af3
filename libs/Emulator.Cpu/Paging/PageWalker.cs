using Emulator.Memory;

namespace Emulator.Cpu;

/// <summary>
/// Translates linear addresses by walking the guest's page tables in physical memory (Intel SDM
/// vol. 3, chapter 4; AMD APM vol. 2, 5.3-5.6), with the hardware's side effects: A set in every
/// entry used, D set in the leaf on a write, both with a compare-exchange so a concurrent change to
/// the entry restarts the walk as a locked update would. Faults come back as values.
/// Order of checks follows QEMU's TCG walker (our oracle): present, reserved bits, A on each
/// non-leaf level as it is used, rights over the combined entries, then A/D on the leaf.
/// PAE PDPTEs are read during the walk (as QEMU and AMD do) rather than cached at CR3 load; a bad
/// PDPTE therefore gives #PF (RSVD or not-present) instead of the #GP an Intel CR3 load would raise.
/// </summary>
public sealed class PageWalker
{
    private const ulong Present = 1UL << 0;
    private const ulong ReadWrite = 1UL << 1;
    private const ulong UserSupervisor = 1UL << 2;
    private const ulong Accessed = 1UL << 5;
    private const ulong Dirty = 1UL << 6;
    private const ulong PageSizeBit = 1UL << 7;
    private const ulong GlobalBit = 1UL << 8;
    private const ulong ExecuteDisable = 1UL << 63;

    /// <summary>PAE PDPTE bits 2:1 and 8:5 must be zero (SDM Table 4-8).</summary>
    private const ulong PdpteReservedLow = 0x1E6;

    /// <summary>Restarts after lost A/D races before the walk gives up setting the bits (a livelocking guest).</summary>
    private const int MaxRestarts = 16;

    private readonly PageTableMemory _tables;

    public PageWalker(GuestMemory memory, int maxPhysicalAddressBits = 40, bool supports1GbPages = true)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPhysicalAddressBits, 32);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPhysicalAddressBits, 52);
        _tables = new PageTableMemory(memory);
        MaxPhysicalAddressBits = maxPhysicalAddressBits;
        Supports1GbPages = supports1GbPages;
    }

    /// <summary>MAXPHYADDR (CPUID 8000_0008h EAX[7:0]); qemu64 reports 40.</summary>
    public int MaxPhysicalAddressBits { get; }

    /// <summary>CPUID 8000_0001h EDX.Page1GB: without it, PS in a PDPTE is a reserved bit.</summary>
    public bool Supports1GbPages { get; }

    /// <summary>
    /// Translates <paramref name="linear"/> for one access. <paramref name="implicitSupervisor"/>
    /// marks the processor's own accesses to the GDT, LDT, IDT and TSS, which are supervisor-mode
    /// whatever the CPL (SDM 4.6.1). In 32-bit and PAE modes only the low 32 bits of the address count.
    /// </summary>
    public PageTranslation Translate(ulong linear, MemoryAccess access, in PagingContext context, bool implicitSupervisor = false)
    {
        switch (context.Mode)
        {
            case PagingMode.None:
                return PageTranslation.Mapped(
                    linear & uint.MaxValue, 4096, PagePermissions.Writable | PagePermissions.User | PagePermissions.Dirty);
            case PagingMode.FourLevel when (ulong)((long)(linear << 16) >> 16) != linear:
                return PageTranslation.NonCanonical(linear);
            case PagingMode.Legacy32 or PagingMode.Pae:
                linear &= uint.MaxValue;
                break;
        }

        var walk = new PageWalk(linear, access, implicitSupervisor, context);
        for (int attempt = 0; ; attempt++)
        {
            bool setBits = attempt < MaxRestarts;
            PageTranslation? result = context.Mode == PagingMode.Legacy32 ? WalkLegacy(walk, setBits) : WalkLong(walk, setBits);
            if (result is { } done)
            {
                return done;
            }
        }
    }

    private PageTranslation? WalkLegacy(in PageWalk walk, bool setBits)
    {
        ulong linear = walk.Linear;
        ulong pdeAddress = (walk.Context.Cr3 & 0xFFFF_F000) + ((linear >> 22) << 2);
        ulong pde = _tables.Read(pdeAddress, 4);
        if ((pde & Present) == 0)
        {
            return walk.NotPresent();
        }

        if ((pde & PageSizeBit) != 0 && walk.Context.PageSizeExtensions)
        {
            // PSE-36: PDE bits 20:13 hold physical bits 39:32; the ones above MAXPHYADDR and bit 21 are reserved.
            int m = Math.Min(MaxPhysicalAddressBits, 40);
            if ((pde & Bits(21, m - 19)) != 0)
            {
                return walk.Reserved();
            }

            ulong frame = (pde & 0xFFC0_0000) | (((pde >> 13) & 0xFF) << 32);
            return Leaf(walk, pdeAddress, 4, pde, PagePermissions.Writable | PagePermissions.User, frame, 4UL << 20, setBits);
        }

        if (setBits && (pde & Accessed) == 0 && !_tables.TrySetBits(pdeAddress, 4, pde, Accessed))
        {
            return null;
        }

        PagePermissions rights = Combine(PagePermissions.Writable | PagePermissions.User, pde, walk.Context);
        ulong pteAddress = (pde & 0xFFFF_F000) + (((linear >> 12) & 0x3FF) << 2);
        ulong pte = _tables.Read(pteAddress, 4);
        return (pte & Present) == 0
            ? walk.NotPresent()
            : Leaf(walk, pteAddress, 4, pte, rights, pte & 0xFFFF_F000, 4096, setBits);
    }

    private PageTranslation? WalkLong(in PageWalk walk, bool setBits)
    {
        PagingContext context = walk.Context;
        ulong linear = walk.Linear;
        int m = MaxPhysicalAddressBits;
        ulong frameMask = Bits(m - 1, 12);
        ulong reservedHigh = context.Mode == PagingMode.FourLevel ? Bits(51, m) : Bits(62, m);
        if (!context.HasExecuteDisable)
        {
            reservedHigh |= ExecuteDisable;
        }

        ulong table;
        int level;
        if (context.Mode == PagingMode.Pae)
        {
            ulong pdpteAddress = (context.Cr3 & 0xFFFF_FFE0) + (((linear >> 30) & 3) << 3);
            ulong pdpte = _tables.Read(pdpteAddress, 8);
            if ((pdpte & Present) == 0)
            {
                return walk.NotPresent();
            }

            // PAE PDPTEs carry no rights and no A bit; XD (bit 63) is reserved in them.
            if ((pdpte & (Bits(63, m) | PdpteReservedLow)) != 0)
            {
                return walk.Reserved();
            }

            table = pdpte & frameMask;
            level = 2;
        }
        else
        {
            table = context.Cr3 & frameMask;
            level = 4;
        }

        PagePermissions rights = PagePermissions.Writable | PagePermissions.User;
        for (; ; level--)
        {
            int shift = 12 + (9 * (level - 1));
            ulong address = table + (((linear >> shift) & 511) << 3);
            ulong entry = _tables.Read(address, 8);
            if ((entry & Present) == 0)
            {
                return walk.NotPresent();
            }

            bool large = level > 1 && (entry & PageSizeBit) != 0;
            ulong reserved = reservedHigh;
            if (large)
            {
                if (level == 4 || (level == 3 && !Supports1GbPages))
                {
                    return walk.Reserved();
                }

                // Between the PAT bit (12) and the frame: bits 20:13 (2 MiB) or 29:13 (1 GiB).
                reserved |= Bits(shift - 1, 13);
            }

            if ((entry & reserved) != 0)
            {
                return walk.Reserved();
            }

            if (level == 1 || large)
            {
                ulong pageSize = 1UL << shift;
                return Leaf(walk, address, 8, entry, rights, entry & frameMask & ~(pageSize - 1), pageSize, setBits);
            }

            if (setBits && (entry & Accessed) == 0 && !_tables.TrySetBits(address, 8, entry, Accessed))
            {
                return null;
            }

            rights = Combine(rights, entry, context);
            table = entry & frameMask;
        }
    }

    private PageTranslation? Leaf(
        in PageWalk walk, ulong address, int size, ulong entry, PagePermissions rights, ulong frame, ulong pageSize, bool setBits)
    {
        rights = Combine(rights, entry, walk.Context);
        if (walk.Context.GlobalPages && (entry & GlobalBit) != 0)
        {
            rights |= PagePermissions.Global;
        }

        if (!AccessRights.Allows(rights, walk.Access, walk.ImplicitSupervisor, walk.Context))
        {
            return walk.Protection();
        }

        ulong bits = walk.Access == MemoryAccess.Write ? Accessed | Dirty : Accessed;
        if (setBits && (entry & bits) != bits && !_tables.TrySetBits(address, size, entry, bits))
        {
            return null;
        }

        // A write that could not set D (see MaxRestarts) leaves the page clean, so its next write walks again.
        bool dirty = (entry & Dirty) != 0 || (setBits && walk.Access == MemoryAccess.Write);
        if (dirty)
        {
            rights |= PagePermissions.Dirty;
        }

        return PageTranslation.Mapped(frame + (walk.Linear & (pageSize - 1)), pageSize, rights);
    }

    private static PagePermissions Combine(PagePermissions rights, ulong entry, in PagingContext context)
    {
        if ((entry & ReadWrite) == 0)
        {
            rights &= ~PagePermissions.Writable;
        }

        if ((entry & UserSupervisor) == 0)
        {
            rights &= ~PagePermissions.User;
        }

        if (context.HasExecuteDisable && (entry & ExecuteDisable) != 0)
        {
            rights |= PagePermissions.NoExecute;
        }

        return rights;
    }

    /// <summary>Bits high..low inclusive; empty when high &lt; low.</summary>
    private static ulong Bits(int high, int low) =>
        high < low ? 0 : (high == 63 ? ulong.MaxValue : (1UL << (high + 1)) - 1) & ~((1UL << low) - 1);
}
