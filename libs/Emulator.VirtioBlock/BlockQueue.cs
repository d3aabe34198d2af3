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
/// per pass. A chain the walker rejects (a buffer outside RAM, broken directions) is answered IOERR
/// when its last descriptor is still a writable byte in RAM; when it is not (a loop, a link out of
/// the table) or the ring itself is broken, this ring stops (logged, err eventfd signalled, like QEMU
/// marking the device broken); the server and the other queues go on.
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
    private readonly Action<ulong, ulong>? _wrote;
    private readonly RequestFailureLog _failures;
    private volatile bool _failed;

    /// <summary><paramref name="wrote"/> hears of every guest range the queue's requests write (see <see cref="BlockRequestExecutor"/>).</summary>
    public BlockQueue(
        VringSetup setup, IBlockImage image, byte[] id, bool discardUnmap, Func<BlockLimits> limits, Func<bool> writeThrough, Action<string> log,
        Action<ulong, ulong>? wrote = null)
    {
        _setup = setup;
        _wrote = wrote;
        _limits = limits;
        _writeThrough = writeThrough;
        _log = log;
        _name = $"blk-queue{setup.Index}";
        _failures = new RequestFailureLog(log, _name);
        _executor = new BlockRequestExecutor(setup.Memory, image, id, discardUnmap, _failures.Report, wrote);
        try
        {
            // The front-end's dirty log (if any) sees the used ring's writes through the queue.
            _queue = setup.CreateSplitQueue();
            TakeOverInflight(_queue, _queue.NextUsed);
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
            for (int i = 0; i < Queue.Size && TryPop(out DescriptorChain? chain, out ushort head); i++)
            {
                uint written = chain is null ? FailBrokenChain(head) : _executor.Execute(chain, _limits(), _writeThrough());
                Queue.AddUsedDeferred(head, written);
                _setup.Inflight?.MarkUsed(head);
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

    /// <summary>
    /// A chain the walker refused still gets IOERR when its last descriptor is a writable byte in RAM;
    /// otherwise there is nowhere to answer and the ring stops (the exception).
    /// </summary>
    private uint FailBrokenChain(ushort head)
    {
        ulong status = BrokenChainStatus.Find(_setup.Memory, _setup.DescriptorTable, Queue.Size, head)
            ?? throw new VirtqueueException($"request {head} is malformed and has no writable status byte to report it in");
        _setup.Memory.Write(status, [(byte)VirtioBlkStatus.IoErr]);
        _wrote?.Invoke(status, 1);
        return 1;
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
    /// The next request: first those a previous back-end left in flight (re-walked from their heads, still
    /// logged), then new ones, re-enabling notifications and re-checking when the ring looks empty. A head
    /// whose chain the walker rejects comes back with a null chain (logged in flight all the same), for
    /// <see cref="FailBrokenChain"/>; a broken ring (not a broken chain) throws.
    /// </summary>
    private bool TryPop(out DescriptorChain? chain, out ushort head)
    {
        if (_resubmit.TryDequeue(out head))
        {
            chain = Walk(head);
            return true;
        }

        ushort slot = Queue.NextAvail;
        try
        {
            if (!Queue.TryPop(out chain))
            {
                Queue.EnableNotification();
                if (!Queue.TryPop(out chain))
                {
                    return false;
                }

                Queue.DisableNotification();
            }

            head = chain.HeadIndex;
        }
        catch (VirtqueueException e) when (Queue.NextAvail != slot)
        {
            // The entry was consumed, so the request is ours to answer: find its head again.
            head = _setup.Memory.ReadU16(_setup.AvailableRing + SplitRingLayout.RingOffset + (2UL * (ushort)(slot % Queue.Size)));
            if (head >= Queue.Size)
            {
                throw;
            }

            _failures.Report($"request {head} is malformed: {e.Message}");
            chain = null;
        }

        _setup.Inflight?.Begin(head);
        return true;
    }

    private DescriptorChain? Walk(ushort head)
    {
        try
        {
            return Queue.ReadChain(head);
        }
        catch (VirtqueueException e)
        {
            _log($"{_name}: request {head} left in flight is malformed: {e.Message}");
            return null;
        }
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
