namespace Emulator.VhostUser;

/// <summary>How many file descriptors a request must carry.</summary>
public enum FdRule
{
    None,
    One,

    /// <summary>SET_MEM_TABLE: exactly one per region.</summary>
    OnePerRegion,

    /// <summary>SET_VRING_KICK/CALL/ERR: one, unless the payload's no-fd bit (8) is set.</summary>
    OneUnlessNoFdFlag,

    /// <summary>REM_MEM_REG: none, but one is tolerated (and closed unused) for old front-ends.</summary>
    NoneOrOne,

    /// <summary>Vendor requests: exactly <see cref="RequestRule.FdCount"/> descriptors.</summary>
    Exact,
}
