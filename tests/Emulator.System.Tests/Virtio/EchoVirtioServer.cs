using System.Text;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Virtio;

namespace Emulator.System.Tests.Virtio;

/// <summary>
/// A vhost-user device for the transport tests, on the real split-queue code: two rings that copy each
/// chain's readable bytes into its writable buffers, and 8 bytes of configuration ("ECHOCONF").
/// </summary>
internal sealed class EchoVirtioServer : IVhostUserDevice
{
    private readonly byte[] _config = Encoding.ASCII.GetBytes("ECHOCONF");
    private readonly VringWorker?[] _workers = new VringWorker?[2];
    private readonly SplitQueue?[] _queues = new SplitQueue?[2];

    public EchoVirtioServer(ulong features = 1UL << 32) => Features = features;

    public ulong Features { get; }

    // LOG_SHMFD is opt-in: this device writes guest memory only through its queue and chains, which log.
    public VhostUserProtocolFeatures ProtocolFeatures => VhostUserBackend.ImplementedProtocolFeatures | VhostUserProtocolFeatures.LogShmfd;

    public int QueueCount => 2;

    public ushort MaxQueueSize => 256;

    public uint ConfigSize => (uint)_config.Length;

    public ulong AckedFeatures { get; private set; }

    public int Resets { get; private set; }

    public int Stops { get; private set; }

    public byte[] ReadConfig(uint offset, uint size) => _config.AsSpan((int)offset, (int)size).ToArray();

    public void WriteConfig(uint offset, ReadOnlySpan<byte> data) => data.CopyTo(_config.AsSpan((int)offset));

    public void SetFeatures(ulong acked) => AckedFeatures = acked;

    public void StartQueue(int index, VringSetup setup)
    {
        SplitQueue queue = setup.CreateSplitQueue();
        _queues[index] = queue;
        _workers[index] = new VringWorker(setup, () => Echo(queue, setup), $"echo-pci-q{index}");
        _workers[index]?.Start();
    }

    public ushort StopQueue(int index)
    {
        _workers[index]?.Dispose();
        _workers[index] = null;
        Stops++;
        return _queues[index]?.NextAvail ?? 0;
    }

    public void Reset()
    {
        AckedFeatures = 0;
        Resets++;
    }

    private static bool Echo(SplitQueue queue, VringSetup setup)
    {
        bool any = false;
        while (queue.TryPop(out DescriptorChain? chain))
        {
            byte[] data = new byte[chain.ReadableLength];
            chain.Reader.ReadExactly(data);
            int n = (int)Math.Min(chain.WritableLength, (uint)data.Length);
            chain.Writer.Write(data.AsSpan(0, n));
            queue.AddUsed(chain.HeadIndex, (uint)n);
            any = true;
        }

        if (any)
        {
            setup.SignalCall();
        }

        return any;
    }
}
