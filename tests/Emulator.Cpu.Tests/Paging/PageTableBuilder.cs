using Emulator.Memory;

namespace Emulator.Cpu.Tests.Paging;

/// <summary>Hand-built page tables in 16 MiB of guest RAM; tables are allocated from 1 MiB up.</summary>
internal sealed class PageTableBuilder : IDisposable
{
    public const ulong P = 1, RW = 2, US = 4, A = 1 << 5, D = 1 << 6, PS = 1 << 7, G = 1 << 8, XD = 1UL << 63;

    private ulong _next = 0x10_0000;

    public PageTableBuilder() => Root = AllocateTable();

    public GuestMemory Memory { get; } = GuestMemory.Create((0, 16 << 20));

    /// <summary>PML4 (4-level), PDPT (PAE: only the first 32 bytes used) or page directory (32-bit).</summary>
    public ulong Root { get; }

    public ulong AllocateTable()
    {
        ulong table = _next;
        _next += 4096;
        Memory.Zero(table, 4096);
        return table;
    }

    public ulong Entry64(ulong table, ulong index) => Memory.Read<ulong>(table + (index * 8));

    public void SetEntry64(ulong table, ulong index, ulong value) => Memory.Write(table + (index * 8), value);

    public uint Entry32(ulong table, ulong index) => Memory.Read<uint>(table + (index * 4));

    public void SetEntry32(ulong table, ulong index, uint value) => Memory.Write(table + (index * 4), value);

    /// <summary>
    /// 4-level: maps <paramref name="linear"/> with a leaf at <paramref name="leafLevel"/> (1 = 4 KiB,
    /// 2 = 2 MiB, 3 = 1 GiB); intermediate entries get <paramref name="tableFlags"/>. Returns the leaf's address.
    /// </summary>
    public ulong Map(ulong linear, ulong physical, ulong leafFlags, int leafLevel = 1, ulong tableFlags = P | RW | US)
    {
        ulong table = Root;
        for (int level = 4; level > leafLevel; level--)
        {
            ulong index = (linear >> (12 + (9 * (level - 1)))) & 511;
            ulong e = Entry64(table, index);
            if ((e & P) == 0)
            {
                e = AllocateTable() | tableFlags;
                SetEntry64(table, index, e);
            }

            table = e & 0x000F_FFFF_FFFF_F000;
        }

        ulong leafIndex = (linear >> (12 + (9 * (leafLevel - 1)))) & 511;
        SetEntry64(table, leafIndex, physical | leafFlags | (leafLevel > 1 ? PS : 0));
        return table + (leafIndex * 8);
    }

    /// <summary>The address of the 4-level entry at <paramref name="level"/> that maps <paramref name="linear"/>.</summary>
    public ulong EntryAddress(ulong linear, int level)
    {
        ulong table = Root;
        for (int l = 4; ; l--)
        {
            ulong at = table + (((linear >> (12 + (9 * (l - 1)))) & 511) * 8);
            if (l == level)
            {
                return at;
            }

            table = Memory.Read<ulong>(at) & 0x000F_FFFF_FFFF_F000;
        }
    }

    public static PagingContext LongMode(ulong cr3, byte cpl = 0) =>
        new(PagingMode.FourLevel, cr3, WriteProtect: true, PageSizeExtensions: true, GlobalPages: true,
            Smep: false, Smap: false, NoExecuteEnabled: true, AlignmentCheck: false, Cpl: cpl);

    public void Dispose() => Memory.Dispose();
}
