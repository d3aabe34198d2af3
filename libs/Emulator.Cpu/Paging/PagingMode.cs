namespace Emulator.Cpu;

/// <summary>Which translation CR0.PG, CR4.PAE and EFER.LMA select (Intel SDM vol. 3, 4.1.1, Table 4-1).</summary>
public enum PagingMode
{
    /// <summary>CR0.PG = 0: linear = physical (32 bits).</summary>
    None,

    /// <summary>32-bit paging: two levels of 4-byte entries, 4 KiB and (CR4.PSE) 4 MiB pages.</summary>
    Legacy32,

    /// <summary>PAE paging: four PDPTEs, then 8-byte PDEs/PTEs, 4 KiB and 2 MiB pages, XD.</summary>
    Pae,

    /// <summary>4-level paging (long mode): 48-bit canonical linear addresses, 4 KiB, 2 MiB and 1 GiB pages.</summary>
    FourLevel,
}
