using Emulator.Memory;

namespace Emulator.Vmm.Chardev;

/// <summary>What <see cref="ChardevFrontEnds"/> needs from the machine.</summary>
public sealed class ChardevFrontEndsContext
{
    public required DeviceManager Manager { get; init; }

    public required DeviceServerLocator Locator { get; init; }

    /// <summary>The interpreter every monitor stream runs.</summary>
    public required HumanMonitor Monitor { get; init; }

    /// <summary>A mux's C-a x (called on a listener thread).</summary>
    public required Action ExitRequested { get; init; }

    /// <summary>Guest RAM to share with the servers, or null.</summary>
    public GuestMemory? Memory { get; init; }

    public MonitorOptions MonitorOptions { get; init; } = new();

    /// <summary>How long a server may take to answer a request.</summary>
    public int TimeoutMs { get; init; } = 10000;

    public Action<string> Log { get; init; } = static _ => { };
}
