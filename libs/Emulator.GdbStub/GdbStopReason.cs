namespace Emulator.GdbStub;

/// <summary>Why the target stopped, which decides the stop reply.</summary>
public enum GdbStopReason
{
    /// <summary>A single step completed: <c>T05</c>.</summary>
    Step,

    /// <summary>A software breakpoint (Z0) at the next instruction: <c>T05 swbreak</c>.</summary>
    SoftwareBreakpoint,

    /// <summary>A hardware execution breakpoint (Z1) at the next instruction: <c>T05 hwbreak</c>.</summary>
    HardwareBreakpoint,

    /// <summary>An instruction changed the value under a write watchpoint (Z2): <c>T05 watch:ADDR</c>, after the instruction.</summary>
    WriteWatchpoint,

    /// <summary>The debugger asked for a stop (Ctrl-C): <c>S02</c>.</summary>
    Interrupted,

    /// <summary>The guest can no longer run (an unhandled fault, triple fault): <c>S0b</c> (SIGSEGV).</summary>
    Faulted,

    /// <summary>The machine shut down: <c>W00</c>; the connection ends.</summary>
    Exited,
}
