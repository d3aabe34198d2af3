namespace Emulator.VhostUser.Tests;

/// <summary>A device whose vendor request declares more descriptors than one message can carry.</summary>
internal sealed class FdHungryDevice : IVhostUserDevice
{
    public ulong Features => 0;

    public VhostUserProtocolFeatures ProtocolFeatures => VhostUserProtocolFeatures.None;

    public int QueueCount => 1;

    public ushort MaxQueueSize => 64;

    public uint ConfigSize => 0;

    public IReadOnlyList<VendorRequest> VendorRequests { get; } =
        [new VendorRequest(1000, 0, 0, 17, (VhostUserProtocolFeatures)(1UL << 50))];

    public byte[] ReadConfig(uint offset, uint size) => [];

    public void WriteConfig(uint offset, ReadOnlySpan<byte> data)
    {
    }

    public void SetFeatures(ulong acked)
    {
    }

    public void StartQueue(int index, VringSetup setup)
    {
    }

    public ushort StopQueue(int index) => 0;

    public void Reset()
    {
    }
}
