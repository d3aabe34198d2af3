namespace Emulator.Cpu;

/// <summary>
/// What the CPU asks its interrupt controller (the local APIC, or a PIC wired straight to INTR) at
/// instruction boundaries. Called on the vCPU thread only.
/// </summary>
public interface IInterruptController
{
    /// <summary>A maskable interrupt is waiting that the controller would deliver now (priority rules applied).</summary>
    bool HasPendingInterrupt { get; }

    /// <summary>
    /// The INTA cycle, made only when RFLAGS.IF allows it: the vector to deliver (the controller moves it
    /// to in-service), or -1 when the request went away meanwhile.
    /// </summary>
    int AcknowledgeInterrupt();

    /// <summary>An NMI is waiting; NMIs ignore RFLAGS.IF.</summary>
    bool HasPendingNmi { get; }

    /// <summary>The CPU takes the pending NMI (clears it).</summary>
    void AcknowledgeNmi();
}
