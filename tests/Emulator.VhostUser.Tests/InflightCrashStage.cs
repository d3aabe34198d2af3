namespace Emulator.VhostUser.Tests;

/// <summary>How far the first back-end of <see cref="InflightCrashTests"/> got with its batch before it "crashed".</summary>
public enum InflightCrashStage
{
    /// <summary>The first element of the batch is written (unpublished) and logged.</summary>
    OneElementLogged,

    /// <summary>Every element of the batch is written and logged; used.idx not yet published.</summary>
    BatchLogged,

    /// <summary>used.idx is published; the log not yet committed.</summary>
    Published,

    /// <summary>The log is committed: a clean finish.</summary>
    Completed,
}
