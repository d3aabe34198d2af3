namespace Emulator.Platform;

/// <summary>
/// What a <see cref="VirtioPciFunction"/> drives: the device behind the transport (in this emulator a
/// vhost-user device server). Every member is called on the vCPU thread, from a guest access; a
/// backend that fails reports it with <see cref="VirtioPciFunction.NeedsReset"/>, never by throwing.
/// </summary>
public interface IVirtioDeviceBackend
{
    /// <summary>The virtio device ID (1 net, 2 block, 3 console, ...); the PCI device ID is 0x1040 plus it.</summary>
    int DeviceType { get; }

    /// <summary>Feature bits the device offers (the transport removes those it does not implement).</summary>
    ulong DeviceFeatures { get; }

    /// <summary>Number of virtqueues, 1 to <see cref="VirtioPciLayout.MaxQueues"/>.</summary>
    int QueueCount { get; }

    /// <summary>Largest ring size (a power of two, at most 32768).</summary>
    ushort MaxQueueSize { get; }

    /// <summary>Bytes of device-specific configuration, at most <see cref="VirtioPciLayout.RegionSize"/>.</summary>
    uint ConfigSize { get; }

    /// <summary>Fills <paramref name="destination"/> from configuration offset <paramref name="offset"/> (the range lies inside <see cref="ConfigSize"/>).</summary>
    void ReadConfig(uint offset, Span<byte> destination);

    void WriteConfig(uint offset, ReadOnlySpan<byte> source);

    /// <summary>The guest set DRIVER_OK: start the enabled queues (at least one) with the features it accepted.</summary>
    void QueuesReady(ulong driverFeatures, IReadOnlyList<VirtioQueueConfig> queues);

    /// <summary>The driver wrote <paramref name="queue"/>'s notify address (only for an enabled queue after DRIVER_OK).</summary>
    void Notify(int queue);

    /// <summary>The driver reset the device (device_status written 0): stop the queues, forget the features.</summary>
    void Reset();
}
