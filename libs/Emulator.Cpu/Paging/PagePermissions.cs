namespace Emulator.Cpu;

/// <summary>
/// The effective rights of a translation, combined over every paging-structure entry that controls
/// it (Intel SDM vol. 3, 4.6.1): what a TLB entry keeps so a hit can check an access without a walk.
/// </summary>
[Flags]
public enum PagePermissions : byte
{
    None = 0,

    /// <summary>R/W = 1 at every level.</summary>
    Writable = 1 << 0,

    /// <summary>U/S = 1 at every level: a user-mode address.</summary>
    User = 1 << 1,

    /// <summary>XD = 1 at some level and EFER.NXE = 1 (never in 32-bit paging).</summary>
    NoExecute = 1 << 2,

    /// <summary>G = 1 in the leaf and CR4.PGE = 1: the entry survives a CR3 load.</summary>
    Global = 1 << 3,

    /// <summary>The leaf's D bit is set: a write needs no walk to set it.</summary>
    Dirty = 1 << 4,
}
