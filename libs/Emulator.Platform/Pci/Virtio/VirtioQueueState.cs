namespace Emulator.Platform;

/// <summary>One queue's registers in the common configuration.</summary>
internal sealed class VirtioQueueState
{
    public VirtioQueueState(int index, ushort maxSize)
    {
        Index = index;
        MaxSize = maxSize;
        Reset();
    }

    public int Index { get; }

    public ushort MaxSize { get; }

    public ushort Size { get; set; }

    public ushort MsixVector { get; set; }

    public bool Enabled { get; set; }

    public ulong DescriptorTable { get; set; }

    public ulong DriverArea { get; set; }

    public ulong DeviceArea { get; set; }

    /// <summary>Split-ring alignment (virtio 1.2, 2.7): descriptor table 16, driver area 2, device area 4.</summary>
    public bool IsAligned => (DescriptorTable & 15) == 0 && (DriverArea & 1) == 0 && (DeviceArea & 3) == 0;

    public VirtioQueueConfig ToConfig() => new(Index, Size, DescriptorTable, DriverArea, DeviceArea, MsixVector);

    public void Reset()
    {
        Size = MaxSize;
        MsixVector = VirtioPciLayout.NoVector;
        Enabled = false;
        DescriptorTable = 0;
        DriverArea = 0;
        DeviceArea = 0;
    }
}
