using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// A thread that runs one ring: it calls <c>process</c> when the kick eventfd fires, then keeps re-checking
/// (kick and ring) for a short spin window after the last activity so back-to-back requests skip the
/// sleep/wake cost, and finally blocks in poll so an idle ring costs no CPU (adaptive polling).
/// <c>process</c> drains the ring and returns true if it did any work; before it returns false it must
/// re-enable notifications and re-check the ring (the usual virtio race). It should handle guest errors
/// itself. An exception that escapes it (or the eventfd calls) is a bug: the worker catches it at the
/// thread entry, records it in <see cref="Fault"/>, logs it, signals the ring's err eventfd when it has
/// one, and stops processing that ring; the process and the other rings go on.
/// </summary>
public sealed class VringWorker : IDisposable
{
    /// <summary>How long to keep polling after the last activity before sleeping.</summary>
    public static readonly TimeSpan DefaultSpinWindow = TimeSpan.FromMicroseconds(50);

    private readonly EventFd _kick;
    private readonly Func<bool> _process;
    private readonly string _name;
    private readonly long _spinTicks;
    private readonly Action<string> _log;
    private readonly EventFd? _err;
    private readonly EventFd _wake = new();
    private readonly StopEvent _stop = new();
    private readonly YieldingSpin _spin = new();
    private readonly Lock _lifecycle = new();
    private readonly Thread _thread;
    private volatile bool _stopping;
    private volatile Exception? _fault;
    private long _sleeps;
    private bool _started;
    private bool _disposed;

    public VringWorker(EventFd kick, Func<bool> process, string name, TimeSpan? spinWindow = null)
        : this(kick, process, name, null, null, spinWindow)
    {
    }

    /// <summary>
    /// A worker for a ring the back-end started: kicks come from <see cref="VringSetup.Kick"/>, faults are
    /// logged through <see cref="VringSetup.Log"/> (the session log) and signalled on <see cref="VringSetup.Err"/>.
    /// </summary>
    public VringWorker(VringSetup setup, Func<bool> process, string name, TimeSpan? spinWindow = null)
        : this(setup.Kick, process, name, setup.Log, setup.Err, spinWindow)
    {
    }

    private VringWorker(EventFd kick, Func<bool> process, string name, Action<string>? log, EventFd? err, TimeSpan? spinWindow)
    {
        _kick = kick;
        _process = process;
        _name = name;
        _log = log ?? (_ => { });
        _err = err;
        _spinTicks = (long)((spinWindow ?? DefaultSpinWindow).TotalSeconds * Stopwatch.Frequency);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>How many times the worker went to sleep in poll (for tests and metrics).</summary>
    public long Sleeps => Interlocked.Read(ref _sleeps);

    /// <summary>The exception that stopped the worker, or null while it runs (or after a clean stop).</summary>
    public Exception? Fault => _fault;

    public bool IsFaulted => _fault is not null;

    public void Start()
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _started = true;
            _thread.Start();
        }
    }

    /// <summary>
    /// Makes the worker run <c>process</c> soon, as a kick would (host-side input arrived, say). Safe from any
    /// thread at any time: after (or racing) <see cref="Stop"/> or <see cref="Dispose"/> it does nothing.
    /// </summary>
    public void Wake()
    {
        lock (_lifecycle)
        {
            if (!_disposed)
            {
                _wake.Signal();
            }
        }
    }

    /// <summary>Stops the thread and waits for it; safe to call more than once, or from the worker itself.</summary>
    public void Stop()
    {
        lock (_lifecycle)
        {
            if (_disposed)
            {
                return;
            }

            _stopping = true;
            _stop.Set();
        }

        if (_started && Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    public void Dispose()
    {
        Stop();

        // From inside process() the loop still needs its eventfds until it returns; the finalizers close them.
        if (_started && Thread.CurrentThread == _thread)
        {
            return;
        }

        lock (_lifecycle)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _wake.Dispose();
            _stop.Dispose();
        }
    }

    /// <summary>The thread entry: nothing may escape a background thread, or the whole process dies.</summary>
    private void Run()
    {
        try
        {
            ProcessControl.SetThreadName(_name);
            Loop();
        }
        catch (Exception e)
        {
            _fault = e;
            _log($"vhost-user: ring worker {_name} stopped by an unexpected error (the ring is no longer processed): {e}");
            SignalError();
        }
    }

    private void SignalError()
    {
        try
        {
            _err?.Signal();
        }
        catch (PosixException e)
        {
            _log($"vhost-user: ring worker {_name} could not signal its err eventfd: {e.Message}");
        }
        catch (ObjectDisposedException)
        {
            // The back-end already dropped the err eventfd: nobody is left to tell.
        }
    }

    private void Loop()
    {
        long lastActivity = Stopwatch.GetTimestamp();
        bool mayHaveWork = true;
        Span<short> revents = stackalloc short[3];
        while (!_stopping)
        {
            if (_kick.TryConsume(out _) | _wake.TryConsume(out _))
            {
                mayHaveWork = true;
                lastActivity = Stopwatch.GetTimestamp();
            }

            bool spinning = Stopwatch.GetTimestamp() - lastActivity < _spinTicks && _spin.MaySpin;
            if (mayHaveWork || spinning)
            {
                mayHaveWork = false;
                if (_process())
                {
                    lastActivity = Stopwatch.GetTimestamp();
                    continue;
                }

                // Yield rather than burn: when the front-end's thread shares this CPU, a pure spin
                // would hold the CPU it needs to post the next request.
                if (spinning && _spin.Yield())
                {
                    continue;
                }
            }

            Interlocked.Increment(ref _sleeps);
            Poller.Wait([_kick.Handle, _wake.Handle, _stop.Handle], [PollEvents.In, PollEvents.In, PollEvents.In], revents, -1);
        }
    }
}
