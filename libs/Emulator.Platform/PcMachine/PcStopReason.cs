namespace Emulator.Platform;

/// <summary>Why the <c>pc</c> platform wants the vCPU loop to end.</summary>
public enum PcStopReason
{
    /// <summary>Nothing asked the loop to stop.</summary>
    None,

    /// <summary>The guest entered S5.</summary>
    PowerOff,

    /// <summary>The guest wrote isa-debug-exit (<see cref="PcPlatform.ExitCode"/>).</summary>
    DebugExit,

    /// <summary>The guest asked for a system reset.</summary>
    Reset,

    /// <summary>The processor shut down (triple fault).</summary>
    TripleFault,

    /// <summary>The loop's budget ran out or the host asked it to stop.</summary>
    Stopped,
}
