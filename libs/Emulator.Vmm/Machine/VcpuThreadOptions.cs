namespace Emulator.Vmm.Machine;

/// <summary>How the vCPU thread reports and what a triple fault does.</summary>
public sealed record VcpuThreadOptions
{
    /// <summary>Writes one message to the emulator's log (stderr, <c>emu: </c> prefixed).</summary>
    public required Action<string> Log { get; init; }

    /// <summary><c>-no-reboot</c>: a triple fault (a guest reset) ends the emulator instead of resetting.</summary>
    public bool NoReboot { get; init; }

    /// <summary><c>-no-shutdown</c>: a guest shutdown (a triple fault under <c>-no-reboot</c>) stops the machine instead of ending the emulator.</summary>
    public bool NoShutdown { get; init; }

    /// <summary><c>-gdb</c>/<c>-s</c>: run under a <see cref="Emulator.GdbStub.VcpuGdbTarget"/> the stub can serve.</summary>
    public bool Debugger { get; init; }

    /// <summary>The <c>-d</c> log, when items were asked for.</summary>
    public ExecutionLog? ExecutionLog { get; init; }
}
