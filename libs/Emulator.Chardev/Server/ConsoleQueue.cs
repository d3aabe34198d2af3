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
            ReturnInflight(_queue, used);
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

    /// <summary>Pops the next chain (re-enabling notifications and re-checking when the ring looks empty) and logs it in flight.</summary>
    protected bool TryPop([NotNullWhen(true)] out DescriptorChain? chain)
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
    /// After a reconnect, chains the last server popped but never returned are given back empty:
    /// the queue cannot re-walk a chain by head, and a console may lose or repeat a little output.
    /// </summary>
    private void ReturnInflight(SplitQueue queue, ushort ringUsed)
    {
        if (Setup.Inflight is not InflightQueue inflight)
        {
            return;
        }

        inflight.Repair(ringUsed);
        IReadOnlyList<ushort> pending = inflight.PendingInCounterOrder();
        foreach (ushort head in pending)
        {
            queue.AddUsedDeferred(head, 0);
            inflight.MarkUsed(head);
        }

        if (pending.Count > 0)
        {
            inflight.Complete(queue.PublishUsed());
            _log($"{Name}: returned {pending.Count} chain(s) left in flight by the previous connection");
            if (queue.NeedsNotification())
            {
                Setup.SignalCall();
            }
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
