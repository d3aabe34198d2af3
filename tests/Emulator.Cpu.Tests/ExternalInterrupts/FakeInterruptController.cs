namespace Emulator.Cpu.Tests.ExternalInterrupts;

/// <summary>A controller with one pending vector (or none) and an NMI flag; counts INTA cycles.</summary>
internal sealed class FakeInterruptController : IInterruptController
{
    public int? Pending { get; set; }

    /// <summary>What INTA returns instead of the pending vector (e.g. -1: the request went away).</summary>
    public int? AcknowledgeOverride { get; set; }

    public int Acknowledged { get; private set; }

    public bool HasPendingInterrupt => Pending is not null;

    public bool HasPendingNmi { get; set; }

    public int AcknowledgeInterrupt()
    {
        Acknowledged++;
        int vector = AcknowledgeOverride ?? Pending ?? -1;
        Pending = null;
        return vector;
    }

    public void AcknowledgeNmi() => HasPendingNmi = false;
}
