namespace Emulator.VhostUser;

/// <summary>How a request's payload size is checked.</summary>
public enum PayloadKind
{
    /// <summary>Exactly <see cref="RequestRule.Size"/> bytes.</summary>
    Fixed,

    /// <summary>SET_MEM_TABLE: 8 + 32 * nregions, nregions in 1..8.</summary>
    MemTable,

    /// <summary>GET/SET_CONFIG: 12 + config.size, config.size up to the config limit.</summary>
    Config,

    /// <summary>Vendor request: between a declared minimum and maximum.</summary>
    Range,
}
