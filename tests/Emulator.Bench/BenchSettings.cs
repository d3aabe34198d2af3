namespace Emulator.Bench;

/// <summary>Sample counts and time limits; the defaults keep the whole bench around a minute on two cores.</summary>
public sealed record BenchSettings
{
    public int KickSamples { get; init; } = 20_000;

    public int IdleGapSamples { get; init; } = 10_000;

    public int ControlSamples { get; init; } = 5_000;

    public TimeSpan WarmUp { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Unmeasured quiet time before the idle measurement, for the server's background JIT tier-up after the warm-up.</summary>
    public TimeSpan IdleSettle { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan IdleMeasurement { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Stops a series early; the idle-gap and loaded series can be slow per sample.</summary>
    public TimeSpan SeriesCap { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A smoke run of a few seconds (<c>--quick</c>), for checking the bench itself.</summary>
    public static BenchSettings Quick { get; } = new()
    {
        KickSamples = 2_000,
        IdleGapSamples = 300,
        ControlSamples = 500,
        WarmUp = TimeSpan.FromMilliseconds(300),
        IdleSettle = TimeSpan.FromMilliseconds(300),
        IdleMeasurement = TimeSpan.FromSeconds(1),
        SeriesCap = TimeSpan.FromSeconds(3),
    };

    /// <summary>The settings for the command line, or null if it is not understood.</summary>
    public static BenchSettings? FromArgs(IReadOnlyList<string> args) => args switch
    {
        [] => new BenchSettings(),
        ["--quick"] => Quick,
        _ => null,
    };
}
