using System.Globalization;

namespace Emulator.Bench;

/// <summary>Prints the block bench's figures, QEMU next to ours, with the ratio ours/QEMU (above 1: ours is faster).</summary>
public static class BlockBenchTable
{
    public static void Print(TextWriter output, string reference, IEnumerable<BlockFigure> figures)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(figures);
        output.WriteLine($"  {"",-36} {reference,12} {"ours",12} {"ours/" + reference,14}");
        bool any = false;
        foreach (BlockFigure f in figures)
        {
            output.WriteLine($"  {f.Label,-36} {Format(f.Qemu),12} {Format(f.Ours),12} {Ratio(f),14}");
            any = true;
        }

        if (!any)
        {
            output.WriteLine("  (no figures: the measurement failed, see the log above)");
        }
    }

    public static string Ratio(BlockFigure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        return figure is { Qemu: > 0 and double qemu, Ours: double ours } ? (ours / qemu).ToString("F2", CultureInfo.InvariantCulture) : "-";
    }

    public static string Format(double? value) => value switch
    {
        null => "-",
        >= 100 => value.Value.ToString("F0", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("F1", CultureInfo.InvariantCulture),
    };
}
