using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// A thread that runs one ring: it calls <c>process</c> when the kick eventfd fires, then keeps re-checking
/// (kick and ring) for a short spin window after the last activity so back-to-back requests skip the
/// sleep/wake cost, and finally blocks in poll so an idle ring costs no CPU (adaptive polling).
/// <c>process</c> drains the ring and returns true if it did any work; before it returns false it must
/// re-enable notifications and re-check the ring (the usual virtio race). It must handle guest errors
/// itself: an exception escaping it is a bug and takes the process down.
/// </summary>
public sealed class VringWorker : IDisposable
{
    /// <summary>How long to keep polling after the last activity before sleeping.</summary>
    public static readonly TimeSpan DefaultSpinWindow = TimeSpan.FromMicroseconds(50);

    private readonly EventFd _kick;
    private readonly Func<bool> _process;
    private readonly string _name;
    private readonly long _spinTicks;
    private readonly EventFd _wake = new();
    private readonly EventFd _stop = new();
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _sleeps;
    private bool _started;
    private bool _disposed;

    public VringWorker(EventFd kick, Func<bool> process, string name, TimeSpan? spinWindow = null)
    {
        _kick = kick;
        _process = process;
        _name = name;
        _spinTicks = (long)((spinWindow ?? DefaultSpinWindow).TotalSeconds * Stopwatch.Frequency);
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
    }

    /// <summary>How many times the worker went to sleep in poll (for tests and metrics).</summary>
    public long Sleeps => Interlocked.Read(ref _sleeps);

    public void Start()
    {
        _started = true;
        _thread.Start();
    }

    /// <summary>Makes the worker run <c>process</c> soon, as a kick would (host-side input arrived, say).</summary>
    public void Wake() => _wake.Signal();

    /// <summary>Stops the thread and waits for it; safe to call more than once, or from the worker itself.</summary>
    public void Stop()
    {
        if (_disposed)
        {
            return;
        }

        _stopping = true;
        _stop.Signal();
        if (_started && Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    public void Dispose()
    {
        Stop();

        // From inside process() the loop still needs its eventfds until it returns; the finalizers close them.
        if (_disposed || (_started && Thread.CurrentThread == _thread))
        {
            return;
        }

        _disposed = true;
        _wake.Dispose();
        _stop.Dispose();
    }

    private void Loop()
    {
        ProcessControl.SetThreadName(_name);
        long lastActivity = Stopwatch.GetTimestamp();
        bool mayHaveWork = true;
        Span<PollFd> fds = stackalloc PollFd[3];
        while (!_stopping)
        {
            if (_kick.TryConsume(out _) | _wake.TryConsume(out _))
            {
                mayHaveWork = true;
                lastActivity = Stopwatch.GetTimestamp();
            }

            bool spinning = Stopwatch.GetTimestamp() - lastActivity < _spinTicks;
            if (mayHaveWork || spinning)
            {
                mayHaveWork = false;
                if (_process())
                {
                    lastActivity = Stopwatch.GetTimestamp();
                    continue;
                }

                if (spinning)
                {
                    Thread.SpinWait(20);
                    continue;
                }
            }

            fds[0] = new PollFd(_kick.Handle.Number, PollEvents.In);
            fds[1] = new PollFd(_wake.Handle.Number, PollEvents.In);
            fds[2] = new PollFd(_stop.Handle.Number, PollEvents.In);
            Interlocked.Increment(ref _sleeps);
            Poller.Wait(fds, -1);
        }
    }
}
