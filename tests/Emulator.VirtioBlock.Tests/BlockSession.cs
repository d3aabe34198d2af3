using System.Collections.Concurrent;
using Emulator.Memory;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Virtio;

namespace Emulator.VirtioBlock.Tests;

/// <summary>
/// A <see cref="VirtioBlockDevice"/> behind a real <see cref="VhostUserBackend"/> on its own thread, our
/// <see cref="VhostUserFrontend"/> on the other end of a socketpair, and guest RAM with one 2 MiB region
/// per queue (adjacent, so a buffer may straddle two).
/// </summary>
internal sealed class BlockSession : IDisposable
{
    public const ulong RegionSize = 2 << 20;
    public const ushort QueueSize = 64;

    private readonly Thread _thread;
    private readonly List<EventFd> _eventFds = [];

    public BlockSession(MemoryBlockImage image, BlockDeviceSettings? settings = null, VirtioBlockDevice? device = null)
    {
        Image = image;
        Device = device ?? new VirtioBlockDevice(image, settings ?? new BlockDeviceSettings(), Log.Enqueue);
        (SafeFd frontendEnd, SafeFd backendEnd) = UnixSocket.CreatePair();
        Backend = new VhostUserBackend(backendEnd, Device, Log.Enqueue);
        Frontend = new VhostUserFrontend(frontendEnd, 20_000);
        Memory = GuestMemory.Create([.. Enumerable.Range(0, Math.Max(2, Device.QueueCount)).Select(i => ((ulong)i * RegionSize, RegionSize))]);
        _thread = new Thread(() => Result = Backend.Run()) { IsBackground = true, Name = "blk-session" };
        _thread.Start();
    }

    public MemoryBlockImage Image { get; }

    public VirtioBlockDevice Device { get; }

    public VhostUserBackend Backend { get; }

    public VhostUserFrontend Frontend { get; }

    public GuestMemory Memory { get; }

    public ConcurrentQueue<string> Log { get; } = new();

    public VhostUserProtocolException? Result { get; private set; }

    public List<BlockDriver> Drivers { get; } = [];

    /// <summary>Negotiates (all offered features, minus <paramref name="withhold"/>), shares memory, starts every queue.</summary>
    public BlockSession Start(ulong withhold = 0, bool inflight = false, SafeFd? inflightFd = null, InflightDescription? description = null, ushort nextAvail = 0)
    {
        Frontend.Negotiate(~withhold, (VhostUserProtocolFeatures)ulong.MaxValue);
        Frontend.SetMemTable(Memory);
        if (inflightFd is not null && description is InflightDescription d)
        {
            Frontend.SetInflightFd(inflightFd, d);
        }
        else if (inflight)
        {
            (SafeFd fd, InflightDescription got) = Frontend.GetInflightFd((ushort)Device.QueueCount, QueueSize);
            InflightFd = fd;
            Inflight = got;
        }

        for (int i = 0; i < Device.QueueCount; i++)
        {
            Drivers.Add(StartQueue(i, nextAvail));
        }

        return this;
    }

    public SafeFd? InflightFd { get; private set; }

    public InflightDescription? Inflight { get; private set; }

    public BlockDriver StartQueue(int index, ushort nextAvail = 0, MockSplitQueue? existing = null)
    {
        MockSplitQueue queue = existing ?? new MockSplitQueue(Memory, (ulong)index * RegionSize, QueueSize);
        var kick = new EventFd();
        var call = new EventFd();
        _eventFds.Add(kick);
        _eventFds.Add(call);
        Frontend.ConfigureQueue(index, Memory, queue.Size, queue.DescTable, queue.AvailRing, queue.UsedRing, kick, call, nextAvail);
        return new BlockDriver(queue, kick, call);
    }

    /// <summary>A request that needs a reply: everything posted before it has been handled.</summary>
    public void Barrier() => Frontend.GetFeatures();

    public void Dispose()
    {
        Frontend.Dispose();
        Assert.True(_thread.Join(20_000), "back-end session did not end");
        Memory.Dispose();
        InflightFd?.Dispose();
        _eventFds.ForEach(e => e.Dispose());
    }
}
