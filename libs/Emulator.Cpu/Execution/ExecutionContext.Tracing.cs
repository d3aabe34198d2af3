namespace Emulator.Cpu;

/// <summary>The tracer seen by handlers that deliver interrupts themselves (INT n, INT3, INTO, INT1 bypass the interpreter's fault path).</summary>
public sealed partial class ExecutionContext
{
    /// <summary>The interpreter's <see cref="Interpreter.Tracer"/>.</summary>
    public IExecutionTracer? Tracer { get; internal set; }

    internal Vcpu Vcpu => _vcpu;
}
