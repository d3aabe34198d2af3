namespace Emulator.Bench;

/// <summary>Prints the Linux part's table: one row per figure, medians over boots, "n/a" where a boot gave none.</summary>
public static class LinuxBenchTable
{
    public const string BootRow = "boot-to-ready";
    public const string TotalRow = "total (to exit)";

    public static void Print(TextWriter output, IReadOnlyList<BootResult> ours, IReadOnlyList<BootResult> qemu)
    {
        output.WriteLine($"  {"figure",-16}{"ours wall",10}{"qemu wall",10}{"ours/qemu",10}{"ours CPU",10}{"qemu CPU",10}{"ours/qemu",10}");
        Row(output, BootRow, ours, qemu, r => r.ReadyWall, r => r.ReadyCpu);
        foreach (string item in GuestScript.Items)
        {
            Row(output, item, ours, qemu, r => r.GuestSeconds.GetValueOrDefault(item, double.NaN), r => r.HostCpu.GetValueOrDefault(item, double.NaN));
        }

        Row(output, TotalRow, ours, qemu, r => r.TotalWall, r => r.TotalCpu);

        foreach ((string name, IReadOnlyList<BootResult> boots) in new[] { ("ours", ours), ("qemu", qemu) })
        {
            for (int i = 0; i < boots.Count; i++)
            {
                if (boots[i].Problem is { } problem)
                {
                    output.WriteLine($"  {name} boot {i + 1}: {problem}");
                }
            }
        }

        output.WriteLine($"  outputs: {Agreement(ours, qemu)}");
    }

    /// <summary>Median of the finite values, NaN if there are none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] finite = [.. values.Where(double.IsFinite).Order()];
        return finite.Length == 0 ? double.NaN
            : finite.Length % 2 == 1 ? finite[finite.Length / 2]
            : (finite[(finite.Length / 2) - 1] + finite[finite.Length / 2]) / 2;
    }

    private static void Row(TextWriter output, string label, IReadOnlyList<BootResult> ours, IReadOnlyList<BootResult> qemu,
        Func<BootResult, double> wall, Func<BootResult, double> cpu)
    {
        double oursWall = Median(ours.Select(wall)), qemuWall = Median(qemu.Select(wall));
        double oursCpu = Median(ours.Select(cpu)), qemuCpu = Median(qemu.Select(cpu));
        output.WriteLine($"  {label,-16}{Seconds(oursWall),10}{Seconds(qemuWall),10}{Ratio(oursWall, qemuWall),10}"
            + $"{Seconds(oursCpu),10}{Seconds(qemuCpu),10}{Ratio(oursCpu, qemuCpu),10}");
        output.Flush();
    }

    private static string Seconds(double value) => double.IsFinite(value) ? $"{value:F2}" : "n/a";

    private static string Ratio(double ours, double qemu) => double.IsFinite(ours) && double.IsFinite(qemu) && qemu > 0 ? $"{ours / qemu:F1}x" : "n/a";

    /// <summary>Whether each item computed the same thing (hash, size) under both emulators, first boot of each.</summary>
    private static string Agreement(IReadOnlyList<BootResult> ours, IReadOnlyList<BootResult> qemu)
    {
        if (ours.Count == 0)
        {
            return "n/a";
        }

        IReadOnlyDictionary<string, string> mine = ours[0].Outputs;
        if (qemu.Count == 0)
        {
            return mine.Count == 0 ? "none" : string.Join(", ", mine.Select(o => $"{o.Key}={o.Value}"));
        }

        IReadOnlyDictionary<string, string> theirs = qemu[0].Outputs;
        var words = GuestScript.Items.Where(i => mine.ContainsKey(i) || theirs.ContainsKey(i)).Select(item =>
            !mine.TryGetValue(item, out string? a) || !theirs.TryGetValue(item, out string? b) ? $"{item} n/a"
            : a == b ? $"{item} same" : $"{item} DIFFER (ours {a}, qemu {b})");
        return string.Join(", ", words);
    }
}
