namespace Emulator.Platform.Tests.Timing;

/// <summary>A host monotonic clock the test moves by hand.</summary>
internal sealed class ManualHostClock
{
    public long Nanoseconds { get; set; } = 1_000_000;

    public long Read() => Nanoseconds;

    public void Advance(long nanoseconds) => Nanoseconds += nanoseconds;
}
