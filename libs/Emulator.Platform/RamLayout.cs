namespace Emulator.Platform;

/// <summary>
/// Where <c>-m</c> bytes of RAM go on QEMU's <c>pc</c> machine: all below 4 GiB when they fit under
/// 0xE0000000 (3.5 GiB), otherwise 3.5 GiB below and the rest from 4 GiB up, leaving the PCI hole
/// for devices and the firmware. RAM below 4 GiB is one region from 0 (the 640 KiB-1 MiB range is
/// RAM too, as in QEMU; the memory map reports its hole).
/// </summary>
public sealed record RamLayout
{
    public const ulong LowMemoryLimit = 0xE000_0000;
    public const ulong HighMemoryBase = 0x1_0000_0000;

    /// <summary>What the BIOS data area and EBDA leave of conventional memory (SeaBIOS: 639 KiB).</summary>
    public const ulong ConventionalTop = 0x9_FC00;

    public RamLayout(ulong size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1UL << 20);
        BelowFourGiB = size >= LowMemoryLimit ? LowMemoryLimit : size;
        AboveFourGiB = size - BelowFourGiB;
    }

    public ulong BelowFourGiB { get; }

    public ulong AboveFourGiB { get; }

    /// <summary>The (base, size) pairs for <c>GuestMemory.Create</c>.</summary>
    public IReadOnlyList<(ulong Base, ulong Size)> Regions =>
        AboveFourGiB == 0 ? [(0, BelowFourGiB)] : [(0, BelowFourGiB), (HighMemoryBase, AboveFourGiB)];

    /// <summary>
    /// The e820 map a BIOS would report: conventional memory, the EBDA and the BIOS area reserved,
    /// RAM from 1 MiB up, RAM above 4 GiB.
    /// </summary>
    public IReadOnlyList<MemoryMapEntry> MemoryMap
    {
        get
        {
            List<MemoryMapEntry> map =
            [
                new(0, ConventionalTop, MemoryMapEntry.Usable),
                new(ConventionalTop, 0xA_0000 - ConventionalTop, MemoryMapEntry.Reserved),
                new(0xF_0000, 0x1_0000, MemoryMapEntry.Reserved),
            ];
            if (BelowFourGiB > 0x10_0000)
            {
                map.Add(new(0x10_0000, BelowFourGiB - 0x10_0000, MemoryMapEntry.Usable));
            }

            if (AboveFourGiB > 0)
            {
                map.Add(new(HighMemoryBase, AboveFourGiB, MemoryMapEntry.Usable));
            }

            return map;
        }
    }
}
