namespace Emulator.Bench;

/// <summary>
/// What one boot of the bench guest measured. Missing figures are NaN (the marker never came);
/// <see cref="Problem"/> says why the boot is not a clean one, or is null.
/// </summary>
public sealed record BootResult
{
    /// <summary>Host wall seconds from starting the emulator to the ready marker.</summary>
    public double ReadyWall { get; init; } = double.NaN;

    /// <summary>Host CPU seconds of the emulator's process tree up to the ready marker.</summary>
    public double ReadyCpu { get; init; } = double.NaN;

    /// <summary>Host wall seconds from start to the script's exit marker.</summary>
    public double TotalWall { get; init; } = double.NaN;

    /// <summary>Host CPU seconds of the process tree up to the script's exit marker.</summary>
    public double TotalCpu { get; init; } = double.NaN;

    /// <summary>In-guest wall seconds per item.</summary>
    public IReadOnlyDictionary<string, double> GuestSeconds { get; init; } = new Dictionary<string, double>();

    /// <summary>Host CPU seconds per item, between its begin and time markers.</summary>
    public IReadOnlyDictionary<string, double> HostCpu { get; init; } = new Dictionary<string, double>();

    /// <summary>What each item computed (a hash, a size), to compare between emulators.</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; init; } = new Dictionary<string, string>();

    public string? Problem { get; init; }
}
