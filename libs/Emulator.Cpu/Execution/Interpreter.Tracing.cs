namespace Emulator.Cpu;

/// <summary>The interpreter's tracing hooks: a null <see cref="Tracer"/> costs one field test per block.</summary>
public sealed partial class Interpreter
{
    /// <summary>Observes blocks and exception deliveries (for <c>-d</c>); null when nothing is logged.</summary>
    public IExecutionTracer? Tracer { get => _context.Tracer; set => _context.Tracer = value; }

    private void TraceBlock(DecodedBlock block, ulong linear) => Tracer?.BlockEntered(_vcpu, block, linear, _context.Memory);

    private void TraceDelivery(CpuFault fault) => Tracer?.ExceptionDelivering(_vcpu, fault);
}
