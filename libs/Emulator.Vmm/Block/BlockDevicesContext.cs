using Emulator.Memory;
using Emulator.Platform;

namespace Emulator.Vmm.Block;

/// <summary>What <see cref="BlockDevices"/> needs from the machine.</summary>
public sealed class BlockDevicesContext
{
    public required DeviceManager Manager { get; init; }

    public required DeviceServerLocator Locator { get; init; }

    public required GuestMemory Memory { get; init; }

    public required PcPlatform Platform { get; init; }

    /// <summary>The vCPU's <c>InvalidatePhysical</c>: pages a server fills drop their decoded code (null: no vCPU).</summary>
    public Action<ulong, ulong>? InvalidateCode { get; init; }

    public required Action<string> Log { get; init; }

    /// <summary>True once the machine was told to stop (a signal): ends a wait for a server that is not there yet.</summary>
    public Func<bool> Stopping { get; init; } = static () => false;

    /// <summary>How long a set-up message may wait for its server's answer.</summary>
    public int TimeoutMs { get; init; } = 10_000;
}
