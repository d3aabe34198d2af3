using System.Diagnostics.CodeAnalysis;
using Emulator.Block;
using Emulator.Memory;
using Emulator.VhostUser;
using Emulator.Virtio;

namespace Emulator.VirtioBlock;

/// <summary>
/// One running request queue: a <see cref="SplitQueue"/> over the setup's guest memory, run by a
/// <see cref="VringWorker"/>. Requests run one at a time in ring order; each is logged in flight when
/// popped, and its used element goes out as its own batch (AddUsedDeferred, MarkUsed, one used.idx
/// store, Complete), so a flush never waits behind unrelated requests to be acknowledged and the
/// in-flight log always names exactly the requests not yet returned. The driver is interrupted once
/// per pass. A chain the walker rejects (loop, bad address, broken direction) cannot carry a status,
/// so it stops this ring (logged, err eventfd signalled, like QEMU marking the device broken); the
/// server and the other queues go on.
/// </summary>
internal sealed class BlockQueue
{
    private readonly VringSetup _setup;
    private readonly Func<BlockLimits> _limits;
    private readonly Func<bool> _writeThrough;
    private readonly Action<string> _log;
    private readonly SplitQueue? _queue;
    private readonly VringWorker? _worker;
    private readonly BlockRequestExecutor _executor;
    private readonly Queue<ushort> _resubmit = new();
    private readonly string _name;
    private volatile bool _failed;

    public BlockQueue(VringSetup setup, IBlockImage image, byte[] id, bool discardUnmap, Func<BlockLimits> limits, Func<bool> writeThrough, Action<string> log)
    {
        _setup = setup;
        _limits = limits;
        _writeThrough = writeThrough;
        _log = log;
        _name = $"blk-queue{setup.Index}";
        _executor = new BlockRequestExecutor(setup.Memory, image, id, discardUnmap, log);
        try
        {
            ushort used = setup.Memory.LoadAcquireU16(setup.UsedRing + 2);
            _queue = new SplitQueue(setup.Memory, setup.Size, setup.DescriptorTable, setup.AvailableRing, setup.UsedRing, setup.EventIdx)
            {
                NextAvail = setup.NextAvail,
                NextUsed = used,
            };
            TakeOverInflight(_queue, used);
            _worker = new VringWorker(setup, Process, _name);
        }
        catch (Exception e) when (e is VirtqueueException or GuestMemoryException or VhostUserProtocolException)
        {
            Fail(e);
        }
    }

    public void Start() => _worker?.Start();

    /// <summary>Stops the worker (after the request it is running) and returns the next avail index.</summary>
    public ushort Stop()
    {
        _worker?.Dispose();
        return _queue?.NextAvail ?? _setup.NextAvail;
    }

    private SplitQueue Queue => _queue ?? throw new InvalidOperationException($"{_name} has no queue");

    private bool Process()
    {
        if (_failed)
        {
            return false;
        }

        bool progressed = false;
        try
        {
            Queue.DisableNotification();

            // At most a ring's worth per pass, so a stop request is seen between passes.
            for (int i = 0; i < Queue.Size && TryPop(out DescriptorChain? chain); i++)
            {
                uint written = _executor.Execute(chain, _limits(), _writeThrough());
                Queue.AddUsedDeferred(chain.HeadIndex, written);
                _setup.Inflight?.MarkUsed(chain.HeadIndex);
                ushort usedIdx = Queue.PublishUsed();
                _setup.Inflight?.Complete(usedIdx);
                progressed = true;
            }
        }
        catch (Exception e) when (e is VirtqueueException or GuestMemoryException or VhostUserProtocolException)
        {
            Fail(e);
        }

        Notify();
        return progressed;
    }

    private void Notify()
    {
        try
        {
            if (_queue is not null && _queue.NeedsNotification())
            {
                _setup.SignalCall();
            }
        }
        catch (GuestMemoryException e)
        {
            _log($"{_name}: could not check the driver's notification state: {e.Message}");
        }
    }

    /// <summary>
    /// The next chain: first those a previous back-end left in flight (re-walked from their heads, still
    /// logged), then new ones, re-enabling notifications and re-checking when the ring looks empty.
    /// </summary>
    private bool TryPop([NotNullWhen(true)] out DescriptorChain? chain)
    {
        if (_resubmit.TryDequeue(out ushort head))
        {
            chain = Queue.ReadChain(head);
            return true;
        }

        if (!Queue.TryPop(out chain))
        {
            Queue.EnableNotification();
            if (!Queue.TryPop(out chain))
            {
                return false;
            }

            Queue.DisableNotification();
        }

        _setup.Inflight?.Begin(chain.HeadIndex);
        return true;
    }

    /// <summary>
    /// After a reconnect (or a ring restart) requests popped earlier but never returned run again before
    /// any new one, oldest first. Re-running a read or write is harmless: the driver has not seen it complete.
    /// Requests run in ring order and complete before the next is popped, so the popped-but-unreturned ones
    /// are exactly the avail entries from used.idx on: the next avail index is used.idx plus their count,
    /// whatever base the front-end restored (after a crash QEMU can only restore used.idx). This is
    /// libvhost-user's rule too (vu_check_queue_inflights).
    /// </summary>
    private void TakeOverInflight(SplitQueue queue, ushort ringUsed)
    {
        if (_setup.Inflight is not InflightQueue inflight)
        {
            return;
        }

        inflight.Repair(ringUsed);
        foreach (ushort head in inflight.PendingInCounterOrder())
        {
            _resubmit.Enqueue(head);
        }

        var next = (ushort)(ringUsed + _resubmit.Count);
        if (next != queue.NextAvail)
        {
            _log($"{_name}: the in-flight log puts the next request at {next}, not at the base {queue.NextAvail} the front-end gave");
            queue.NextAvail = next;
        }

        if (_resubmit.Count > 0)
        {
            _log($"{_name}: resubmitting {_resubmit.Count} request(s) left in flight");
        }
    }

    private void Fail(Exception e)
    {
        _failed = true;
        _log($"{_name}: guest error, ring stopped: {e.Message}");
        _setup.SignalError();
    }
}
