namespace Emulator.Platform;

/// <summary>
/// Routes <see cref="ApicMessage"/>s to the local APICs whose destination matches (SDM vol. 3,
/// 10.6.2): physical ID or broadcast 0xFF, logical flat or cluster. Lowest priority goes to the
/// first match (a valid choice: the arbitration is model specific). vCPU thread only.
/// </summary>
public sealed class ApicBus
{
    private readonly List<LocalApic> _apics = [];

    public IReadOnlyList<LocalApic> Apics => _apics;

    public void Attach(LocalApic apic)
    {
        ArgumentNullException.ThrowIfNull(apic);
        _apics.Add(apic);
    }

    /// <summary>Delivers <paramref name="message"/> to every matching APIC (except <paramref name="exclude"/>); returns how many took it.</summary>
    public int Send(ApicMessage message, LocalApic? exclude = null)
    {
        int accepted = 0;
        foreach (LocalApic apic in _apics)
        {
            if (apic == exclude || !apic.MatchesDestination(message.Destination, message.Logical))
            {
                continue;
            }

            apic.Accept(message);
            accepted++;
            if (message.Mode == ApicDeliveryMode.LowestPriority)
            {
                break;
            }
        }

        return accepted;
    }
}
