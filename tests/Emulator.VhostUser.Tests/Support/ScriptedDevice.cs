using Emulator.Posix;
using Emulator.TestPeer;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// An <see cref="EchoDevice"/> that misbehaves on request: short config reads, oversized vendor replies,
/// rings that refuse to stop. Also declares a vendor request carrying three descriptors.
/// </summary>
internal sealed class ScriptedDevice : IVhostUserDevice
{
    public const uint ThreeFdRequest = 1002;
    public const uint HugeReplyRequest = 1003;

    public EchoDevice Inner { get; } = new();

    /// <summary>Config reads return this many bytes fewer than asked.</summary>
    public int ShortConfigBy { get; set; }

    /// <summary>How many coming StopQueue calls throw <see cref="StopFailure"/> (after really stopping the ring).</summary>
    public int StopFailures { get; set; }

    public Exception StopFailure { get; set; } = new VhostUserProtocolException("the device refuses to stop the ring");

    public int LastVendorFdCount { get; private set; } = -1;

    public ulong Features => Inner.Features;

    public VhostUserProtocolFeatures ProtocolFeatures => Inner.ProtocolFeatures;

    public int QueueCount => Inner.QueueCount;

    public ushort MaxQueueSize => Inner.MaxQueueSize;

    public uint ConfigSize => Inner.ConfigSize;

    public IReadOnlyList<VendorRequest> VendorRequests =>
    [
        .. Inner.VendorRequests,
        new VendorRequest(ThreeFdRequest, 0, 0, 3, EchoDevice.VendorFeature),
        new VendorRequest(HugeReplyRequest, 0, 0, 0, EchoDevice.VendorFeature),
    ];

    public byte[] ReadConfig(uint offset, uint size) => Inner.ReadConfig(offset, size)[ShortConfigBy..];

    public void WriteConfig(uint offset, ReadOnlySpan<byte> data) => Inner.WriteConfig(offset, data);

    public void SetFeatures(ulong acked) => Inner.SetFeatures(acked);

    public void StartQueue(int index, VringSetup setup) => Inner.StartQueue(index, setup);

    public ushort StopQueue(int index)
    {
        ushort next = Inner.StopQueue(index);
        if (StopFailures > 0)
        {
            StopFailures--;
            throw StopFailure;
        }

        return next;
    }

    public void Reset() => Inner.Reset();

    public byte[]? HandleVendorRequest(uint request, ReadOnlySpan<byte> payload, SafeFd[] fds)
    {
        switch (request)
        {
            case ThreeFdRequest:
                LastVendorFdCount = fds.Length;
                foreach (SafeFd fd in fds)
                {
                    fd.Dispose();
                }

                return null;
            case HugeReplyRequest:
                return new byte[VhostUserLimits.MaxPayloadSize + 1];
            default:
                return Inner.HandleVendorRequest(request, payload, fds);
        }
    }
}
