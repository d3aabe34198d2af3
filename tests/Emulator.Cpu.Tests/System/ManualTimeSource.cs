namespace Emulator.Cpu.Tests.SystemInstructions;

/// <summary>A clock the test advances by hand.</summary>
internal sealed class ManualTimeSource : ITimeSource
{
    public ulong Frequency => 1_000_000;

    public ulong Now { get; set; }
}
