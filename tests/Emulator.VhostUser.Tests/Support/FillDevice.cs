using Emulator.Virtio;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// A one-queue device that fills every writable byte of each chain with 0xAB and returns it, using only
/// <see cref="VringSetup.CreateSplitQueue"/> and the chain writer: what dirty logging expects of a device.
/// </summary>
internal sealed class FillDevice : IVhostUserDevice
{
    public const ulong VirtioVersion1 = 1UL << 32;

    private SplitQueue? _queue;
    private VringSetup? _setup;
    private VringWorker? _worker;

    public ulong Features => VirtioVersion1;

    public VhostUserProtocolFeatures ProtocolFeatures => VhostUserBackend.ImplementedProtocolFeatures | VhostUserProtocolFeatures.LogShmfd;

    public int QueueCount => 1;

    public ushort MaxQueueSize => 64;

    public uint ConfigSize => 0;

    /// <summary>The setup of the last start, to check what the back-end handed over.</summary>
    public VringSetup? LastSetup { get; private set; }

    public byte[] ReadConfig(uint offset, uint size) => [];

    public void WriteConfig(uint offset, ReadOnlySpan<byte> data)
    {
    }

    public void SetFeatures(ulong acked)
    {
    }

    public void StartQueue(int index, VringSetup setup)
    {
        _setup = setup;
        LastSetup = setup;
        _queue = setup.CreateSplitQueue();
        _worker = new VringWorker(setup, Process, "fill-ring");
        _worker.Start();
    }

    public ushort StopQueue(int index)
    {
        _worker?.Stop();
        _worker?.Dispose();
        _worker = null;
        return _queue?.NextAvail ?? 0;
    }

    public void Reset()
    {
    }

    private bool Process()
    {
        if (_queue is not { } queue || _setup is not { } setup)
        {
            return false;
        }

        bool any = false;
        while (queue.TryPop(out DescriptorChain? chain))
        {
            byte[] fill = new byte[chain.Writer.Remaining];
            fill.AsSpan().Fill(0xAB);
            chain.Writer.Write(fill);
            queue.AddUsed(chain.HeadIndex, chain.Writer.BytesWritten);
            any = true;
        }

        if (any && queue.NeedsNotification())
        {
            setup.SignalCall();
        }

        return any;
    }
}
