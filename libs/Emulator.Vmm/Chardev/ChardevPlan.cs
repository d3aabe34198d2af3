namespace Emulator.Vmm.Chardev;

/// <summary>Every chardev the command line asked for, in command-line order.</summary>
public sealed record ChardevPlan(IReadOnlyList<PlannedChardev> Chardevs)
{
    /// <summary>The chardev and stream of COM port <paramref name="index"/>, if it has one.</summary>
    public (PlannedChardev Chardev, PlannedFrontEnd FrontEnd)? FindSerial(int index) => Find(FrontEndKind.Serial, index);

    public (PlannedChardev Chardev, PlannedFrontEnd FrontEnd)? Find(FrontEndKind kind, int index)
    {
        foreach (PlannedChardev chardev in Chardevs)
        {
            foreach (PlannedFrontEnd frontEnd in chardev.FrontEnds)
            {
                if (frontEnd.Kind == kind && frontEnd.Index == index)
                {
                    return (chardev, frontEnd);
                }
            }
        }

        return null;
    }
}
