namespace Emulator.Cpu;

/// <summary>What a TLB probe found.</summary>
public enum TlbLookup
{
    /// <summary>No usable entry: walk (the walk also produces the exact fault, if any).</summary>
    Miss,

    /// <summary>Cached, rights allow the access: the physical address is valid, go straight to RAM.</summary>
    Hit,

    /// <summary>Cached and allowed, but the entry is flagged: take the slow path (MMIO, watched code page).</summary>
    SlowPath,
}
