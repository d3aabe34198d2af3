namespace Emulator.Bench;

/// <summary>One fio job of <see cref="BlockGuestScript"/> and the figure the table takes from it.</summary>
public sealed record BlockGuestJob(string Name, string Label, string FioArguments, BlockGuestMetric Metric)
{
    public double? Value(FioFigures? figures) => figures is null ? null : Metric switch
    {
        BlockGuestMetric.ReadMBps => figures.ReadMBps,
        BlockGuestMetric.WriteMBps => figures.WriteMBps,
        _ => figures.ReadIops,
    };
}
