namespace Emulator.Cpu;

/// <summary>Why <see cref="Interpreter.Run"/> or <see cref="Interpreter.Step"/> returned.</summary>
public enum ExitReason
{
    /// <summary>Internal to instruction handlers: the instruction completed, go on.</summary>
    Continue,

    /// <summary>The instruction budget is used up (a <see cref="Interpreter.Step"/> that ran one instruction returns this).</summary>
    InstructionLimit,

    /// <summary>HLT retired: RIP is past it and <see cref="CpuState.Halted"/> is set.</summary>
    Halted,

    /// <summary>An instruction faulted: RIP is at it, its effects are undone, <see cref="Interpreter.LastFault"/> says which.</summary>
    Exception,

    /// <summary>
    /// A fault while delivering #DF (only with <see cref="Interpreter.DeliverExceptions"/>): the processor
    /// would shut down. State is left as it was at the fault (RIP at the instruction), <see cref="Interpreter.LastFault"/>
    /// is the last fault; the platform logs, resets or stops.
    /// </summary>
    TripleFault,
}
