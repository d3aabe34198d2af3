using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// A device that checks, on every call, the promises the back-end makes to devices: valid queue indexes,
/// config ranges inside the config space, rings started once and stopped once, ring parts inside guest
/// memory. A broken promise throws <see cref="InvalidOperationException"/>, which fails the fuzz test.
/// </summary>
internal sealed class FuzzDevice : IVhostUserDevice
{
    public const VhostUserProtocolFeatures VendorFeature = (VhostUserProtocolFeatures)(1UL << 60);

    private readonly VringSetup?[] _started = new VringSetup?[2];

    public ulong Features => (1UL << 32) | VhostUserFeatureBits.RingEventIdx | 1;

    public VhostUserProtocolFeatures ProtocolFeatures => (VhostUserProtocolFeatures)ulong.MaxValue;

    public int QueueCount => 2;

    public ushort MaxQueueSize => 256;

    public uint ConfigSize => 16;

    public IReadOnlyList<VendorRequest> VendorRequests { get; } =
    [
        new VendorRequest(1000, 0, 64, 0, VendorFeature),
        new VendorRequest(1001, 8, 8, 1, VendorFeature),
    ];

    public byte[] ReadConfig(uint offset, uint size)
    {
        Check(offset + (ulong)size <= ConfigSize, "config read outside the config space");
        return new byte[size];
    }

    public void WriteConfig(uint offset, ReadOnlySpan<byte> data) =>
        Check(offset + (ulong)data.Length <= ConfigSize, "config write outside the config space");

    public void SetFeatures(ulong acked)
    {
        Check((acked & VhostUserFeatureBits.ProtocolFeatures) == 0, "bit 30 reached the device");
        Check(_started.All(s => s is null), "features changed under a running ring");
    }

    public void StartQueue(int index, VringSetup setup)
    {
        Check(index >= 0 && index < QueueCount, "bad queue index");
        Check(_started[index] is null, "ring started twice");
        Check(setup.Size != 0 && setup.Size <= MaxQueueSize && (setup.Size & (setup.Size - 1)) == 0, "bad ring size");
        Check(setup.Memory.IsValidRange(setup.DescriptorTable, 16UL * setup.Size), "descriptor table outside memory");
        Check(setup.Memory.IsValidRange(setup.AvailableRing, 6 + (2UL * setup.Size)), "avail ring outside memory");
        Check(setup.Memory.IsValidRange(setup.UsedRing, 6 + (8UL * setup.Size)), "used ring outside memory");
        Check(setup.Inflight is null || setup.Inflight.DescNum == setup.Size, "in-flight log of the wrong size");

        // Touch the shared memory the way a ring worker would: a bad mapping would fault right here.
        setup.Memory.LoadAcquireU16(setup.AvailableRing + 2);
        setup.Memory.StoreReleaseU16(setup.UsedRing + 2, setup.Memory.LoadAcquireU16(setup.UsedRing + 2));
        setup.Inflight?.Begin((ushort)(setup.NextAvail % setup.Size));
        _started[index] = setup;
    }

    public ushort StopQueue(int index)
    {
        VringSetup setup = _started[index] ?? throw new InvalidOperationException("stopping a ring that is not running");
        _started[index] = null;
        return (ushort)(setup.NextAvail + 1);
    }

    public void Reset() => Check(_started.All(s => s is null), "reset with a ring running");

    public byte[]? HandleVendorRequest(uint request, ReadOnlySpan<byte> payload, SafeFd[] fds)
    {
        foreach (SafeFd fd in fds)
        {
            fd.Dispose();
        }

        return request == 1000 ? payload.ToArray() : null;
    }

    private static void Check(bool condition, string promise)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"back-end broke a promise to the device: {promise}");
        }
    }
}
