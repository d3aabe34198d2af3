using System.Diagnostics.CodeAnalysis;
using Emulator.Memory;
using Emulator.VhostUser;
using Emulator.Virtio;

namespace Emulator.Chardev;

/// <summary>
/// One running virtio-console ring: a <see cref="SplitQueue"/> over the setup's guest memory, run by
/// a <see cref="VringWorker"/>. Subclasses move bytes between chains and the console's
/// <see cref="ChardevPort"/> (or discard them when another front-end holds the port). Chains come
/// back in batches, one per run of the worker: each used element is written deferred and logged
/// (MarkUsed), the batch is published with one used.idx store, then the in-flight log records it
/// (Complete), as the in-flight repair requires; the driver is interrupted once per batch when it
/// asked to be. A guest that breaks the ring (hostile chain, bad address) stops this ring only:
/// logged, the error eventfd signalled.
/// </summary>
internal abstract class ConsoleQueue : IDisposable
{
    private readonly SplitQueue? _queue;
    private readonly VringWorker? _worker;
    private readonly Action<string> _log;
    private readonly ushort _startBase;
    private readonly Queue<ushort> _resubmit = new();
    private volatile bool _failed;

    protected ConsoleQueue(VringSetup setup, ChardevPort? port, Action<string> log, string name)
    {
        Setup = setup;
        Port = port;
        _log = log;
        _startBase = setup.NextAvail;
        Name = name;
        try
        {
            ushort used = setup.Memory.LoadAcquireU16(setup.UsedRing + 2);
            _queue = new SplitQueue(setup.Memory, setup.Size, setup.DescriptorTable, setup.AvailableRing, setup.UsedRing, setup.EventIdx)
            {
                NextAvail = setup.NextAvail,
                NextUsed = used,
            };
            TakeOverInflight(used);
            _worker = new VringWorker(setup, Process, name);
        }
        catch (Exception e) when (e is VirtqueueException or GuestMemoryException or VhostUserProtocolException)
        {
            Fail(e);
        }
    }

    protected VringSetup Setup { get; }

    /// <summary>The console's port, or null while another front-end (a byte stream) holds it.</summary>
    protected ChardevPort? Port { get; }

    protected string Name { get; }

    /// <summary>Valid whenever <see cref="Drain"/> runs.</summary>
    protected SplitQueue Queue => _queue ?? throw new InvalidOperationException($"{Name} has no queue");

    public void Start() => _worker?.Start();

    /// <summary>Runs the ring soon, as a kick would (the port has data or room again).</summary>
    public void Wake() => _worker?.Wake();

    /// <summary>
    /// Stops the worker, returns a chain it was still working on to the driver (so no descriptor is
    /// lost across a ring restart), and returns the next avail index to process.
    /// </summary>
    public ushort Stop()
    {
        _worker?.Dispose();
        StopWaiting();
        if (_queue is not null && !_failed)
        {
            try
            {
                ReturnParked();
                Publish();
                if (_queue.NeedsNotification())
                {
                    Setup.SignalCall();
                }
            }
            catch (Exception e) when (e is VirtqueueException or GuestMemoryException or VhostUserProtocolException)
            {
                Fail(e);
            }
        }

        return _queue?.NextAvail ?? _startBase;
    }

    public void Dispose() => Stop();

    /// <summary>Moves as much as possible; true if any chain was completed or data moved.</summary>
    protected abstract bool Drain();

    /// <summary>Releases whatever waits on the port for this ring (called once the worker has stopped).</summary>
    protected virtual void StopWaiting()
    {
    }

    /// <summary>Completes a chain left half-done when the ring stops (called once the worker has stopped).</summary>
    protected virtual void ReturnParked()
    {
    }

    /// <summary>
    /// The next chain: first those a previous connection left in flight (re-walked from their heads,
    /// already in the log), then new ones popped (re-enabling notifications and re-checking when the
    /// ring looks empty) and logged in flight.
    /// </summary>
    protected bool TryPop([NotNullWhen(true)] out DescriptorChain? chain)
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

        Setup.Inflight?.Begin(chain.HeadIndex);
        return true;
    }

    /// <summary>Adds a chain to the current batch (published at the end of the run, or when the batch is a ring full).</summary>
    protected void Complete(ushort head, uint written)
    {
        Queue.AddUsedDeferred(head, written);
        Setup.Inflight?.MarkUsed(head);
        if (Queue.UnpublishedUsed >= Queue.Size)
        {
            Publish();
        }
    }

    private bool Process()
    {
        if (_failed)
        {
            return false;
        }

        try
        {
            Queue.DisableNotification();
            bool progressed = Drain();
            Publish();
            if (Queue.NeedsNotification())
            {
                Setup.SignalCall();
            }

            return progressed;
        }
        catch (Exception e) when (e is VirtqueueException or GuestMemoryException or VhostUserProtocolException)
        {
            Fail(e);
            PublishWhatIsDone();
            return false;
        }
    }

    /// <summary>After a guest error: the chains completed before it still go back, if the used ring allows.</summary>
    private void PublishWhatIsDone()
    {
        try
        {
            Publish();
            Setup.SignalCall();
        }
        catch (Exception e) when (e is VirtqueueException or GuestMemoryException or VhostUserProtocolException)
        {
            _log($"{Name}: could not return the completed chains: {e.Message}");
        }
    }

    /// <summary>
    /// After a reconnect (or a ring restart), chains popped earlier but never returned are processed
    /// again before any new one, oldest first: a transmit chain's bytes are written (some may be
    /// written twice if the last server had begun it), a receive buffer is filled when input comes.
    /// Their heads stay logged in flight with their old counters until they are returned, so if this
    /// ring stops first they are simply resubmitted by the next start.
    /// </summary>
    private void TakeOverInflight(ushort ringUsed)
    {
        if (Setup.Inflight is not InflightQueue inflight)
        {
            return;
        }

        inflight.Repair(ringUsed);
        foreach (ushort head in inflight.PendingInCounterOrder())
        {
            _resubmit.Enqueue(head);
        }

        if (_resubmit.Count > 0)
        {
            _log($"{Name}: resubmitting {_resubmit.Count} chain(s) left in flight");
        }
    }

    /// <summary>Makes the batch visible with one used.idx store, then records it in the in-flight log.</summary>
    private void Publish()
    {
        if (Queue.UnpublishedUsed > 0)
        {
            ushort usedIdx = Queue.PublishUsed();
            Setup.Inflight?.Complete(usedIdx);
        }
    }

    private void Fail(Exception e)
    {
        _failed = true;
        _log($"{Name}: guest error, ring stopped: {e.Message}");
        Setup.SignalError();
    }
}
