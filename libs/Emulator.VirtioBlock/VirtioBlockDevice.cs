using System.Text;
using Emulator.Block;
using Emulator.VhostUser;

namespace Emulator.VirtioBlock;

/// <summary>
/// A virtio-blk device (virtio 1.2, 5.2) over an <see cref="IBlockImage"/>, served through vhost-user:
/// read, write, flush, get-id, discard and write-zeroes on several queues, each run by its own ring
/// thread straight against guest memory. The image is the caller's and outlives the device; the device
/// outlives sessions (a reconnecting front-end negotiates afresh and hands back the in-flight log).
/// Flush semantics: a request completes only after the image call returns, a flush only after
/// <see cref="IBlockImage.Flush"/>; with the write cache off (CONFIG_WCE, or FLUSH not negotiated)
/// every write is flushed before it completes.
/// </summary>
public sealed class VirtioBlockDevice : IVhostUserDevice
{
    private readonly IBlockImage _image;
    private readonly BlockDeviceSettings _settings;
    private readonly Action<string> _log;
    private readonly byte[] _id = new byte[BlockLimits.IdBytes];
    private readonly BlockLimits _baseLimits;
    private readonly BlockQueue?[] _queues;
    private volatile BlockLimits _limits;
    private volatile bool _writebackField;
    private ulong _acked;

    public VirtioBlockDevice(IBlockImage image, BlockDeviceSettings settings, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        settings.Validate();
        _image = image;
        _settings = settings;
        _log = log;
        Encoding.ASCII.GetBytes(settings.Serial, _id);
        _baseLimits = new BlockLimits
        {
            CapacitySectors = image.Size / BlockLimits.SectorSize,
            ReadOnly = settings.ReadOnly || image.ReadOnly,
        };
        _limits = _baseLimits;
        _writebackField = settings.Writeback;
        _queues = new BlockQueue?[settings.NumQueues];
    }

    public bool ReadOnly => _baseLimits.ReadOnly;

    public ulong Features
    {
        get
        {
            ulong f = VirtioBlkFeatures.Version1 | VirtioBlkFeatures.RingIndirectDesc | VirtioBlkFeatures.RingEventIdx
                | VirtioBlkFeatures.SegMax | VirtioBlkFeatures.Geometry | VirtioBlkFeatures.BlkSize | VirtioBlkFeatures.Topology
                | VirtioBlkFeatures.Flush | VirtioBlkFeatures.ConfigWce | VirtioBlkFeatures.MultiQueue;
            return f | (ReadOnly ? VirtioBlkFeatures.ReadOnly : VirtioBlkFeatures.Discard | VirtioBlkFeatures.WriteZeroes);
        }
    }

    public VhostUserProtocolFeatures ProtocolFeatures =>
        VhostUserProtocolFeatures.Mq | VhostUserProtocolFeatures.ReplyAck | VhostUserProtocolFeatures.BackendReq
        | VhostUserProtocolFeatures.Config | VhostUserProtocolFeatures.InflightShmfd | VhostUserProtocolFeatures.ResetDevice
        | VhostUserProtocolFeatures.Status | VhostUserProtocolFeatures.ConfigureMemSlots | VhostUserProtocolFeatures.LogShmfd;

    public int QueueCount => _settings.NumQueues;

    public ushort MaxQueueSize => _settings.MaxQueueSize;

    public uint ConfigSize => VirtioBlkConfig.Size;

    /// <summary>The virtio features the driver acknowledged.</summary>
    public ulong AckedFeatures => _acked;

    /// <summary>Whether writes are acknowledged from the host cache (true) or only once flushed (false).</summary>
    public bool WritebackCache =>
        (_acked & VirtioBlkFeatures.Flush) != 0 && ((_acked & VirtioBlkFeatures.ConfigWce) == 0 || _writebackField);

    public byte[] ReadConfig(uint offset, uint size) =>
        VirtioBlkConfig.Build(_baseLimits, (ushort)_settings.NumQueues, _writebackField, _settings.DiscardUnmap)
            .AsSpan((int)offset, (int)size).ToArray();

    /// <summary>Only writeback is writable, and only with CONFIG_WCE (virtio 1.2, 5.2.5); other writes are ignored.</summary>
    public void WriteConfig(uint offset, ReadOnlySpan<byte> data)
    {
        const uint at = VirtioBlkConfig.WritebackOffset;
        if ((_acked & VirtioBlkFeatures.ConfigWce) != 0 && offset <= at && at - offset < (uint)data.Length)
        {
            _writebackField = data[(int)(at - offset)] != 0;
        }
    }

    public void SetFeatures(ulong acked)
    {
        _acked = acked;
        _limits = _baseLimits with
        {
            DiscardEnabled = (acked & VirtioBlkFeatures.Discard) != 0,
            WriteZeroesEnabled = (acked & VirtioBlkFeatures.WriteZeroes) != 0,
        };
    }

    public void StartQueue(int index, VringSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        // Every guest range a request fills goes to the front-end's dirty log when it asked for one (LOG_SHMFD + LOG_ALL).
        Action<ulong, ulong>? wrote = setup.WriteLog is { } writeLog ? writeLog.LogWrite : null;
        var queue = new BlockQueue(setup, _image, _id, _settings.DiscardUnmap, () => _limits, () => !WritebackCache, _log, wrote);
        _queues[index] = queue;
        queue.Start();
    }

    public ushort StopQueue(int index)
    {
        BlockQueue queue = _queues[index] ?? throw new InvalidOperationException($"queue {index} is not running");
        ushort next = queue.Stop();
        _queues[index] = null;
        return next;
    }

    public void Reset()
    {
        _acked = 0;
        _limits = _baseLimits;
        _writebackField = _settings.Writeback;
    }

    /// <summary>The session ended (its rings already stopped): the next front-end starts from a fresh device.</summary>
    public void EndSession()
    {
        for (int i = 0; i < _queues.Length; i++)
        {
            _queues[i]?.Stop();
            _queues[i] = null;
        }

        Reset();
    }
}
