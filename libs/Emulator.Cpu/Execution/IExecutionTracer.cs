namespace Emulator.Cpu;

/// <summary>
/// Observes the interpreter for logging (QEMU's <c>-d in_asm,cpu,int</c>); called on the vCPU thread.
/// Must not change the vCPU's state.
/// </summary>
public interface IExecutionTracer
{
    /// <summary>
    /// A block is about to run from <paramref name="linear"/> (its first instruction's linear address);
    /// <paramref name="memory"/> reads its code bytes. The same <see cref="DecodedBlock"/> object comes back
    /// each time the cached block runs; a new object means the code was (re)decoded.
    /// </summary>
    void BlockEntered(Vcpu vcpu, DecodedBlock block, ulong linear, ICpuMemory memory);

    /// <summary>An exception is about to be delivered through the IDT (RIP at the faulting instruction).</summary>
    void ExceptionDelivering(Vcpu vcpu, CpuFault fault);

    /// <summary>
    /// INT n, INT3, INTO (taken) or INT1 is about to deliver <paramref name="vector"/>; RIP is already past the
    /// instruction, <paramref name="instructionRip"/> is its own address. Tracers that do not log interrupts ignore it.
    /// </summary>
    void SoftwareInterruptDelivering(Vcpu vcpu, byte vector, ulong instructionRip)
    {
    }
}
