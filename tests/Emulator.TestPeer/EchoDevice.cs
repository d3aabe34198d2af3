using System.Buffers.Binary;
using System.Text;
using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.TestPeer;

/// <summary>
/// The device the test peer serves: two echo queues, 16 bytes of config ("TESTPEER" read-only, then 8
/// writable bytes), and two vendor requests gated by vendor protocol-feature bit 48: SUM (two u64 in, their
/// sum out) and CONFIG_CHANGE (asks the back-end to send CONFIG_CHANGE_MSG).
/// </summary>
public sealed class EchoDevice : IVhostUserDevice
{
    public const ulong VirtioVersion1 = 1UL << 32;
    public const VhostUserProtocolFeatures VendorFeature = (VhostUserProtocolFeatures)(1UL << 48);
    public const uint SumRequest = 1000;
    public const uint ConfigChangeRequest = 1001;
    public const int ReadOnlyConfigBytes = 8;

    private readonly byte[] _config = new byte[16];
    private readonly EchoRing?[] _rings = new EchoRing?[2];
    private readonly VringWorker?[] _workers = new VringWorker?[2];

    public EchoDevice()
    {
        Encoding.ASCII.GetBytes("TESTPEER", _config);
    }

    public ulong Features => VirtioVersion1;

    public VhostUserProtocolFeatures ProtocolFeatures => VhostUserBackend.ImplementedProtocolFeatures | VendorFeature;

    public int QueueCount => 2;

    public ushort MaxQueueSize => 256;

    public uint ConfigSize => (uint)_config.Length;

    public IReadOnlyList<VendorRequest> VendorRequests { get; } =
    [
        new VendorRequest(SumRequest, 16, 16, 0, VendorFeature),
        new VendorRequest(ConfigChangeRequest, 0, 0, 0, VendorFeature),
    ];

    /// <summary>Called for the CONFIG_CHANGE vendor request; the program wires it to the back-end.</summary>
    public Action? ConfigChangeRequested { get; set; }

    public ulong AckedFeatures { get; private set; }

    public int Resets { get; private set; }

    public bool IsRunning(int index) => _workers[index] is not null;

    public byte[] ReadConfig(uint offset, uint size) => _config.AsSpan((int)offset, (int)size).ToArray();

    public void WriteConfig(uint offset, ReadOnlySpan<byte> data)
    {
        if (offset < ReadOnlyConfigBytes)
        {
            throw new VhostUserProtocolException($"config bytes 0..{ReadOnlyConfigBytes} are read-only");
        }

        data.CopyTo(_config.AsSpan((int)offset));
    }

    public void SetFeatures(ulong acked) => AckedFeatures = acked;

    public void StartQueue(int index, VringSetup setup)
    {
        var ring = new EchoRing(setup);
        var worker = new VringWorker(setup.Kick, ring.Process, $"echo-q{index}");
        _rings[index] = ring;
        _workers[index] = worker;
        worker.Start();
    }

    public ushort StopQueue(int index)
    {
        _workers[index]?.Dispose();
        _workers[index] = null;
        ushort next = _rings[index]?.NextAvail ?? 0;
        _rings[index] = null;
        return next;
    }

    public void Reset()
    {
        AckedFeatures = 0;
        Resets++;
        _config.AsSpan(ReadOnlyConfigBytes).Clear();
    }

    public byte[]? HandleVendorRequest(uint request, ReadOnlySpan<byte> payload, SafeFd[] fds)
    {
        switch (request)
        {
            case SumRequest:
                ulong sum = unchecked(BinaryPrimitives.ReadUInt64LittleEndian(payload) + BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]));
                return U64Payload.ToArray(sum);
            case ConfigChangeRequest:
                ConfigChangeRequested?.Invoke();
                return null;
            default:
                throw new VhostUserProtocolException($"echo device has no vendor request {request}");
        }
    }
}
