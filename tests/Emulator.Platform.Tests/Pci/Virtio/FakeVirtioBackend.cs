namespace Emulator.Platform.Tests.Pci.Virtio;

/// <summary>A device behind the transport that records what the transport asked of it.</summary>
internal sealed class FakeVirtioBackend : IVirtioDeviceBackend
{
    public const ulong FeatureA = 1UL << 0;
    public const ulong FeatureB = 1UL << 5;

    private readonly byte[] _config = new byte[12];

    public FakeVirtioBackend(int queueCount = 2, ushort maxQueueSize = 256)
    {
        QueueCount = queueCount;
        MaxQueueSize = maxQueueSize;
        for (int i = 0; i < _config.Length; i++)
        {
            _config[i] = (byte)(0xA0 + i);
        }
    }

    public int DeviceType => 3;

    /// <summary>Also offers notification data (bit 38), which the transport must hide.</summary>
    public ulong DeviceFeatures => FeatureA | FeatureB | VirtioTransportFeatures.Version1 | (1UL << 38);

    public int QueueCount { get; }

    public ushort MaxQueueSize { get; }

    public uint ConfigSize => (uint)_config.Length;

    public byte[] Config => _config;

    public List<int> Notifications { get; } = [];

    public List<(ulong Features, IReadOnlyList<VirtioQueueConfig> Queues)> Starts { get; } = [];

    public int Resets { get; private set; }

    public void ReadConfig(uint offset, Span<byte> destination)
    {
        Assert.True(offset + destination.Length <= ConfigSize, "config read outside the device's space reached the backend");
        _config.AsSpan((int)offset, destination.Length).CopyTo(destination);
    }

    public void WriteConfig(uint offset, ReadOnlySpan<byte> source)
    {
        Assert.True(offset + source.Length <= ConfigSize, "config write outside the device's space reached the backend");
        source.CopyTo(_config.AsSpan((int)offset));
    }

    public void QueuesReady(ulong driverFeatures, IReadOnlyList<VirtioQueueConfig> queues) => Starts.Add((driverFeatures, queues));

    public void Notify(int queue)
    {
        Assert.InRange(queue, 0, QueueCount - 1);
        Notifications.Add(queue);
    }

    public void Reset() => Resets++;
}
