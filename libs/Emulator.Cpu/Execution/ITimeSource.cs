namespace Emulator.Cpu;

/// <summary>
/// The platform's virtual clock as the TSC sees it: a monotonic count at <see cref="Frequency"/>
/// ticks per second. The vCPU's TSC is <see cref="Now"/> plus its own offset (which WRMSR TSC sets).
/// </summary>
public interface ITimeSource
{
    /// <summary>Ticks per second (the nominal TSC frequency).</summary>
    ulong Frequency { get; }

    /// <summary>Ticks since an arbitrary origin; never decreases.</summary>
    ulong Now { get; }
}
