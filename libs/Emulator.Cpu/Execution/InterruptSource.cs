namespace Emulator.Cpu;

/// <summary>What raised an interrupt: it decides the gate DPL check and the EXT bit of error codes (SDM vol. 3, 6.13).</summary>
public enum InterruptSource
{
    /// <summary>A processor exception (or external event): no DPL check, EXT = 1.</summary>
    Exception,

    /// <summary>INT n, INT3, INTO: gate DPL must be ≥ CPL, EXT = 0.</summary>
    Software,

    /// <summary>INT1 (ICEBP): delivered like a hardware debug exception, no DPL check.</summary>
    Icebp,

    /// <summary>An external interrupt or NMI from the interrupt controller: no DPL check, EXT = 1, no error code.</summary>
    External,
}
